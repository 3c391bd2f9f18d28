import { ApiError } from "@/lib/api/errors";
import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { changeMemberRole, removeMember } from "@/lib/members/members";
import { isUuid } from "@/lib/validations/common";
import { changeRoleBody } from "@/lib/validations/members";

type P = { userId: string };

export const PATCH = withApiAuth<P>(
  async ({ req, params, ctx }) => {
    if (!isUuid(params.userId)) throw ApiError.notFound("Member");
    const { role } = await readJson(req, changeRoleBody);
    const updated = await changeMemberRole(ctx, params.userId, role);
    return Response.json({ user_id: updated.userId, role: updated.role });
  },
  { sessionOnly: true, minRole: "admin" },
);

export const DELETE = withApiAuth<P>(
  async ({ params, ctx }) => {
    if (!isUuid(params.userId)) throw ApiError.notFound("Member");
    await removeMember(ctx, params.userId);
    return new Response(null, { status: 204 });
  },
  { sessionOnly: true, minRole: "admin" },
);
