// The Sentry SDK as this process initialised it (or nothing): kept on globalThis, so code in
// lib/ reports without importing @sentry/nextjs — nothing is loaded, and nothing is sent, unless
// SENTRY_DSN is set.
import type { TenantContext } from "@/lib/tenancy/context";

export interface SentryScope {
  setUser(user: { id: string } | null): unknown;
  setTag(key: string, value: string): unknown;
  setContext(name: string, context: Record<string, unknown> | null): unknown;
}

export interface SentryFacade {
  captureException(err: unknown, hint?: { tags?: Record<string, string>; extra?: Record<string, unknown> }): string;
  withIsolationScope<T>(fn: (scope: SentryScope) => T): T;
  getIsolationScope(): SentryScope;
  flush(timeoutMs?: number): PromiseLike<boolean>;
}

const key = Symbol.for("herald.sentry");
type G = typeof globalThis & { [key]?: SentryFacade };

export function sentry(): SentryFacade | undefined {
  return (globalThis as G)[key];
}

export function setSentry(s: SentryFacade | undefined): void {
  (globalThis as G)[key] = s;
}

/**
 * The scope of an authenticated request: who (a user id, or an API key's id and prefix), which
 * tenant, which role. Never an email, a name, a phone number or a credential.
 */
export function setSentryRequestContext(ctx: TenantContext): void {
  const s = sentry();
  if (!s) return;
  const scope = s.getIsolationScope();
  scope.setTag("tenant_id", ctx.tenantId);
  scope.setTag("tenant_slug", ctx.tenantSlug);
  scope.setTag("actor_type", ctx.actor.type);
  if (ctx.actor.type === "user") {
    scope.setUser({ id: ctx.actor.userId });
    scope.setTag("role", ctx.actor.role);
  } else if (ctx.actor.type === "api_key") {
    scope.setUser({ id: `api_key:${ctx.actor.keyId}` });
    scope.setTag("api_key_id", ctx.actor.keyId);
    if (ctx.actor.prefix) scope.setTag("api_key_prefix", ctx.actor.prefix);
  }
}
