import { ApiError } from "@/lib/api/errors";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { issuedJson } from "@/lib/members/member-json";
import { resendInvitation } from "@/lib/members/invitations";
import { isUuid } from "@/lib/validations/common";

/** A new one-time link (the previous one stops working) and a new expiry; emailed again when possible. */
export const POST = withApiAuth<{ id: string }>(
  async ({ params, ctx }) => {
    if (!isUuid(params.id)) throw ApiError.notFound("Open invitation");
    return Response.json(issuedJson(await resendInvitation(ctx, params.id)));
  },
  { sessionOnly: true, minRole: "admin" },
);
