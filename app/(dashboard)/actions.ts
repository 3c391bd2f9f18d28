"use server";

import { cookies } from "next/headers";
import { getServerSession } from "next-auth";
import { ApiError } from "@/lib/api/errors";
import { authOptions } from "@/lib/auth/next-auth";
import { SESSION_MAX_AGE_SECONDS } from "@/lib/auth/next-auth";
import { ACTIVE_TENANT_COOKIE, resolveSessionMember } from "@/lib/tenancy/resolve";

/** Makes `slug` the active tenant, only if the signed-in user is a member of it. */
export async function switchTenant(slug: string): Promise<void> {
  const session = await getServerSession(authOptions);
  const userId = (session?.user as { id?: string } | undefined)?.id;
  if (!userId) throw new ApiError({ code: "unauthorized", message: "Sign in to continue" });
  const member = await resolveSessionMember(userId, slug);
  if (!member || member.active.slug !== slug) throw ApiError.notFound("Tenant");
  const jar = await cookies();
  jar.set(ACTIVE_TENANT_COOKIE, slug, {
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    secure: process.env.NEXTAUTH_URL?.startsWith("https://") ?? false,
    maxAge: SESSION_MAX_AGE_SECONDS,
  });
}
