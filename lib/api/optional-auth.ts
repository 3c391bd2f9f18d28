import type { NextRequest } from "next/server";
import type { Scope } from "@/lib/auth/permissions";
import { roleAtLeast, roleForScope } from "@/lib/auth/permissions";
import type { TenantContext } from "@/lib/tenancy/context";
import { apiKeyContext, authenticateBearerKey, authenticateSession, memberTenantContext, takeApiKeyToken } from "./with-api-auth";

/**
 * Optional auth for public routes that show more to insiders (the school directory search):
 * the caller's context for `tenantSlug` when an API key of that tenant holds `scope`, or the
 * signed-in user is a member of that tenant (any of their tenants, not only the active one)
 * with the role the scope needs; otherwise null, i.e. anonymous. A malformed or revoked key is
 * still a 401 — a client that sends credentials should learn they are wrong — while a valid key
 * of another tenant or without the scope reads as anonymous, as any visitor would.
 */
export async function authenticateOptional(
  req: NextRequest,
  requestId: string,
  opts: { tenantSlug: string; scope: Scope },
): Promise<TenantContext | null> {
  const key = await authenticateBearerKey(req);
  if (key) {
    await takeApiKeyToken(key);
    return key.tenantSlug === opts.tenantSlug && key.scopes.includes(opts.scope) ? apiKeyContext(key, requestId) : null;
  }
  if (!req.cookies.size) return null;
  const { member } = await authenticateSession(req);
  const tenant = member?.tenants.find((t) => t.slug === opts.tenantSlug);
  if (!member || !tenant || !roleAtLeast(tenant.role, roleForScope(opts.scope))) return null;
  return memberTenantContext(member, tenant, requestId);
}
