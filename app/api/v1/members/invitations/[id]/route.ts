import { ApiError } from "@/lib/api/errors";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { revokeInvitation } from "@/lib/members/invitations";
import { isUuid } from "@/lib/validations/common";

/** Revokes an open invitation: its link stops working. */
export const DELETE = withApiAuth<{ id: string }>(
  async ({ params, ctx }) => {
    if (!isUuid(params.id)) throw ApiError.notFound("Open invitation");
    await revokeInvitation(ctx, params.id);
    return new Response(null, { status: 204 });
  },
  { sessionOnly: true, minRole: "admin" },
);
