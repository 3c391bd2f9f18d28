import { readJson } from "@/lib/api/read-json";
import { authenticateSession, withRoute } from "@/lib/api/with-api-auth";
import { SESSION_MAX_AGE_SECONDS } from "@/lib/auth/next-auth";
import { acceptInvitation } from "@/lib/members/invitations";
import { ACTIVE_TENANT_COOKIE } from "@/lib/tenancy/resolve";
import { acceptInvitationBody } from "@/lib/validations/members";

/**
 * Accepts an invitation: as the signed-in invitee (no body needed), or with a password for a new
 * account. The link's token is the credential; the new tenant becomes the active one.
 */
export const POST = withRoute<{ token: string }>(async ({ req, params }) => {
  const body = await readJson(req, acceptInvitationBody);
  const { userId } = await authenticateSession(req);
  const joined = await acceptInvitation({ token: params.token, sessionUserId: userId, password: body.password, name: body.name });
  const res = Response.json({ tenant: { slug: joined.tenantSlug, name: joined.tenantName }, email: joined.email, new_account: joined.newAccount });
  const secure = process.env.NEXTAUTH_URL?.startsWith("https://") ? "; Secure" : "";
  res.headers.append(
    "set-cookie",
    `${ACTIVE_TENANT_COOKIE}=${encodeURIComponent(joined.tenantSlug)}; Path=/; SameSite=Lax; HttpOnly; Max-Age=${SESSION_MAX_AGE_SECONDS}${secure}`,
  );
  return res;
});
