import { encode } from "next-auth/jwt";
import { NextRequest } from "next/server";
import { ACTIVE_TENANT_COOKIE } from "@/lib/tenancy/resolve";

/** A real next-auth session cookie for a user, as the sign-in flow would set it. */
export async function sessionCookie(userId: string, tenantSlug?: string): Promise<string> {
  const token = await encode({ token: { uid: userId, sub: userId }, secret: process.env.NEXTAUTH_SECRET! });
  return [`next-auth.session-token=${token}`, tenantSlug ? `${ACTIVE_TENANT_COOKIE}=${tenantSlug}` : null]
    .filter(Boolean)
    .join("; ");
}

export function request(
  path: string,
  init: { method?: string; body?: unknown; rawBody?: string; key?: string; cookie?: string; headers?: Record<string, string> } = {},
): NextRequest {
  const headers = new Headers(init.headers);
  if (init.key) headers.set("authorization", `Bearer ${init.key}`);
  if (init.cookie) headers.set("cookie", init.cookie);
  let body: string | undefined = init.rawBody;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers.set("content-type", "application/json");
  }
  return new NextRequest(new URL(path, "http://localhost:3000"), { method: init.method ?? "GET", headers, body });
}

export function params<P extends Record<string, string>>(p: P) {
  return { params: Promise.resolve(p) };
}
