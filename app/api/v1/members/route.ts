import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { inviteMember, listMembers } from "@/lib/members/members";
import { inviteMemberBody } from "@/lib/validations/members";
import { memberJson } from "@/lib/members/member-json";

export const GET = withApiAuth(async ({ ctx }) => Response.json({ data: (await listMembers(ctx)).map(memberJson) }), {
  sessionOnly: true,
  minRole: "viewer",
});

/** Invites a member; a new account's one-time password is in this response and nowhere else. */
export const POST = withApiAuth(
  async ({ req, ctx }) => {
    const body = await readJson(req, inviteMemberBody);
    const invited = await inviteMember(ctx, body);
    return Response.json(
      { user_id: invited.userId, email: invited.email, role: invited.role, one_time_password: invited.oneTimePassword },
      { status: 201 },
    );
  },
  { sessionOnly: true, minRole: "admin" },
);
