import type { Role } from "@/db/schema";
import { roleAtLeast, roleForScope, type Scope } from "@/lib/auth/permissions";

export type Actor =
  | { type: "user"; userId: string; email: string; role: Role }
  | { type: "api_key"; keyId: string; name: string; scopes: Scope[]; prefix?: string }
  | { type: "system"; label: string };

/**
 * Who is acting, for which tenant. Built only by the auth wrappers (API and server actions),
 * and passed to every service call: services never take a tenant id from anywhere else.
 */
export interface TenantContext {
  tenantId: string;
  tenantSlug: string;
  actor: Actor;
  requestId: string;
}

export function actorLabel(actor: Actor): string {
  switch (actor.type) {
    case "user":
      return actor.email;
    case "api_key":
      return `api key ${actor.name}`;
    case "system":
      return actor.label;
  }
}

/** Whether the actor may do what `scope` allows: a key holding it, or a member whose role covers it. */
export function actorHasScope(actor: Actor, scope: Scope): boolean {
  switch (actor.type) {
    case "user":
      return roleAtLeast(actor.role, roleForScope(scope));
    case "api_key":
      return actor.scopes.includes(scope);
    case "system":
      return true;
  }
}

export function actorUserId(actor: Actor): string | null {
  return actor.type === "user" ? actor.userId : null;
}

export function systemContext(tenant: { id: string; slug: string }, label = "system"): TenantContext {
  return {
    tenantId: tenant.id,
    tenantSlug: tenant.slug,
    actor: { type: "system", label },
    requestId: `sys_${Date.now().toString(36)}`,
  };
}
