import { getDb } from "@/db";
import { listMembershipsOfUser } from "@/db/queries/tenants";
import { findUserById } from "@/db/queries/users";
import type { Role } from "@/db/schema";

/** Cookie holding the slug of the tenant a signed-in user is working in. */
export const ACTIVE_TENANT_COOKIE = "herald-tenant";

export interface MemberTenant {
  tenantId: string;
  slug: string;
  name: string;
  /** The zone whose midnight starts the tenant's "today" and "this month". */
  timezone: string;
  role: Role;
}

export interface SessionMember {
  user: {
    id: string;
    email: string;
    name: string | null;
    mustChangePassword: boolean;
    /** Display preferences; null: the browser's. */
    timezone: string | null;
    locale: string | null;
  };
  tenants: MemberTenant[];
  active: MemberTenant;
}

/**
 * The user's tenants and the active one (the cookie's, if the user is still a member of it;
 * otherwise the first). Null when the user is gone or belongs to no tenant.
 */
export async function resolveSessionMember(userId: string, activeSlug: string | undefined): Promise<SessionMember | null> {
  const db = getDb();
  const [user, tenants] = await Promise.all([findUserById(db, { userId }), listMembershipsOfUser(db, { userId })]);
  if (!user || tenants.length === 0) return null;
  const active = tenants.find((t) => t.slug === activeSlug) ?? tenants[0]!;
  return {
    user: {
      id: user.id,
      email: user.email,
      name: user.name,
      mustChangePassword: user.mustChangePassword,
      timezone: user.timezone,
      locale: user.locale,
    },
    tenants,
    active,
  };
}
