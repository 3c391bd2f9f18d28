import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { createInvitation, listInvitations } from "@/lib/members/invitations";
import { listMembers } from "@/lib/members/members";
import { inviteMemberBody } from "@/lib/validations/members";
import { issuedJson, memberJson } from "@/lib/members/member-json";

/** Members, and the open invitations (by email only: nothing about the invitee before they accept). */
export const GET = withApiAuth(
  async ({ ctx }) => {
    const [members, invitations] = await Promise.all([listMembers(ctx), listInvitations(ctx)]);
    return Response.json({ data: members.map(memberJson), invitations });
  },
  { sessionOnly: true, minRole: "viewer" },
);

/**
 * Invites: a pending invitation and its one-time accept link (in this answer only; emailed through
 * the tenant's email config when it has one). The same answer whether or not the email has an account.
 */
export const POST = withApiAuth(
  async ({ req, ctx }) => {
    const body = await readJson(req, inviteMemberBody);
    return Response.json(issuedJson(await createInvitation(ctx, body)), { status: 201 });
  },
  { sessionOnly: true, minRole: "admin" },
);
