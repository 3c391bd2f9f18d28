import { randomUUID } from "node:crypto";
import type { NextRequest } from "next/server";
import { getToken } from "next-auth/jwt";
import type { Role } from "@/db/schema";
import { authenticateApiKey, type AuthenticatedKey } from "@/lib/auth/api-keys";
import { roleAtLeast, roleForScope, type Scope } from "@/lib/auth/permissions";
import { logger, withLogContext, type Logger } from "@/lib/logger";
import { sentry, setSentryRequestContext } from "@/lib/observability/sentry";
import type { TenantContext } from "@/lib/tenancy/context";
import { ACTIVE_TENANT_COOKIE, resolveSessionMember, type MemberTenant, type SessionMember } from "@/lib/tenancy/resolve";
import { findUnsafeText } from "@/lib/validations/json-safety";
import { positiveNumberEnv } from "@/lib/env";
import { SharedRequestLimiter } from "@/lib/rate-limit/request-limiter";
import { ApiError, errorResponse } from "./errors";

type Params = Record<string, string>;
type RouteContext<P> = { params: Promise<P> };

export interface PublicHandlerArgs<P> {
  req: NextRequest;
  params: P;
  requestId: string;
  log: Logger;
}

export interface AuthedHandlerArgs<P> extends PublicHandlerArgs<P> {
  ctx: TenantContext;
}

// One limit per key across every web process (the shared rate-limit store, leased in small batches).
const apiKeyLimiter = new SharedRequestLimiter("api-key", {
  ratePerSecond: positiveNumberEnv("HERALD_API_RATE_LIMIT_PER_SECOND", 500),
  burst: positiveNumberEnv("HERALD_API_RATE_LIMIT_BURST", 1000),
});

/**
 * Wraps a route handler that needs no Herald credentials (health, provider webhooks, telephony
 * ingest with its own token): request id, access log, and the one error mapper.
 */
export function withRoute<P extends Params = Params>(handler: (args: PublicHandlerArgs<P>) => Promise<Response>) {
  return async (req: NextRequest, route: RouteContext<P>): Promise<Response> => {
    const requestId = req.headers.get("x-request-id")?.slice(0, 100) || randomUUID();
    const run = () =>
      withLogContext({ requestId }, async () => {
        const started = performance.now();
        const log = logger;
        let res: Response;
        try {
          const params = ((await route?.params) ?? {}) as P;
          assertStorableParams(params);
          res = await handler({ req, params, requestId, log });
        } catch (err) {
          res = errorResponse(err, requestId, log);
        }
        res.headers.set("x-request-id", requestId);
        log.info(
          { method: req.method, path: req.nextUrl.pathname, status: res.status, ms: Math.round(performance.now() - started) },
          "request",
        );
        return res;
      });
    const reporting = sentry();
    if (!reporting) return run();
    // With Sentry on, each request reports from a scope of its own (its request id, then its caller).
    return reporting.withIsolationScope((scope) => {
      scope.setTag("request_id", requestId);
      scope.setContext("request", { method: req.method, path: req.nextUrl.pathname });
      return run();
    });
  };
}

/**
 * A path segment holding NUL or an unpaired surrogate can name no stored resource (Postgres would
 * refuse it in a lookup), so every route answers 404 before any query sees it.
 */
function assertStorableParams(params: Params) {
  for (const value of Object.values(params)) {
    const values: unknown[] = Array.isArray(value) ? value : [value];
    if (values.some((v) => typeof v === "string" && findUnsafeText(v) !== null)) throw ApiError.notFound("Resource");
  }
}

/**
 * The one auth wrapper for tenant APIs: accepts `Authorization: Bearer <API key>` or a session
 * cookie, resolves the tenant, checks the scope (keys) or the role that scope needs (members),
 * rate-limits keys, and maps every error. Handlers receive a TenantContext and nothing else
 * decides which tenant a request touches.
 */
export function withApiAuth<P extends Params = Params>(
  handler: (args: AuthedHandlerArgs<P>) => Promise<Response>,
  opts: AuthOptions,
) {
  return withRoute<P>(async (args) => {
    const ctx = await authenticate(args.req, args.requestId, opts);
    setSentryRequestContext(ctx);
    return withLogContext({ tenantId: ctx.tenantId }, () => handler({ ...args, ctx }));
  });
}

/**
 * `scope`: what an API key must hold (members need the role the scope maps to).
 * No scope: any valid key or member (read-only endpoints like /api/v1/me).
 * `sessionOnly`: members only (key and member management), with `minRole`.
 */
export interface AuthOptions {
  scope?: Scope;
  sessionOnly?: boolean;
  minRole?: Role;
}

/**
 * The API key from `Authorization: Bearer …`: null without the header, a 401 when the header
 * is malformed or the key invalid/revoked. Scope checks are the caller's.
 */
export async function authenticateBearerKey(req: NextRequest): Promise<AuthenticatedKey | null> {
  const authorization = req.headers.get("authorization");
  if (!authorization) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (!match) throw unauthorized("The Authorization header must be `Bearer <API key>`");
  const key = await authenticateApiKey(match[1]!);
  if (!key) throw unauthorized("The API key is invalid or has been revoked");
  return key;
}

/**
 * The session cookie's user and, if they still exist and belong to a tenant, the member
 * (all their tenants and the active one). Both null without a session.
 */
export async function authenticateSession(req: NextRequest): Promise<{ userId: string | null; member: SessionMember | null }> {
  const token = await getToken({ req, secret: process.env.NEXTAUTH_SECRET });
  const userId = typeof token?.uid === "string" ? token.uid : null;
  if (!userId) return { userId: null, member: null };
  return { userId, member: await resolveSessionMember(userId, req.cookies.get(ACTIVE_TENANT_COOKIE)?.value) };
}

/** Applies the per-key request limit (also used by routes with optional auth). */
export async function takeApiKeyToken(key: AuthenticatedKey): Promise<void> {
  const wait = await apiKeyLimiter.take(key.id);
  if (wait > 0) throw ApiError.rateLimited(wait, "Too many requests for this API key");
}

export function apiKeyContext(key: AuthenticatedKey, requestId: string): TenantContext {
  return {
    tenantId: key.tenantId,
    tenantSlug: key.tenantSlug,
    actor: { type: "api_key", keyId: key.id, name: key.name, scopes: key.scopes, prefix: key.prefix },
    requestId,
  };
}

export function memberTenantContext(member: SessionMember, tenant: MemberTenant, requestId: string): TenantContext {
  return {
    tenantId: tenant.tenantId,
    tenantSlug: tenant.slug,
    actor: { type: "user", userId: member.user.id, email: member.user.email, role: tenant.role },
    requestId,
  };
}

/** Resolves the caller of a request to a TenantContext, or throws 401/403/429. */
export async function authenticate(req: NextRequest, requestId: string, opts: AuthOptions): Promise<TenantContext> {
  const key = await authenticateBearerKey(req);
  if (key) {
    if (opts.sessionOnly) throw ApiError.forbidden("This operation is only available to signed-in members");
    if (opts.scope && !key.scopes.includes(opts.scope)) {
      throw new ApiError({
        code: "forbidden",
        message: `The API key lacks the scope ${opts.scope}`,
        details: { required_scope: opts.scope },
      });
    }
    await takeApiKeyToken(key);
    return apiKeyContext(key, requestId);
  }
  const { userId, member } = await authenticateSession(req);
  if (!userId) throw unauthorized("Authentication required: send an API key or sign in");
  if (!member) throw unauthorized("Your session is no longer valid");
  const needed = opts.minRole ?? (opts.scope ? roleForScope(opts.scope) : "viewer");
  if (!roleAtLeast(member.active.role, needed)) {
    throw new ApiError({
      code: "forbidden",
      message: `Your role (${member.active.role}) cannot do this; ${needed} or higher is required`,
      details: { required_role: needed },
    });
  }
  return memberTenantContext(member, member.active, requestId);
}

function unauthorized(message: string) {
  return new ApiError({ code: "unauthorized", message, headers: { "WWW-Authenticate": 'Bearer realm="herald"' } });
}
