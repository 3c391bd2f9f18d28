import { randomUUID } from "node:crypto";
import { getServerSession } from "next-auth";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { ApiError } from "@/lib/api/errors";
import type { TenantContext } from "@/lib/tenancy/context";
import { ACTIVE_TENANT_COOKIE, resolveSessionMember, type SessionMember } from "@/lib/tenancy/resolve";
import { authOptions } from "./next-auth";
import { roleAtLeast, roleForScope, type Scope } from "./permissions";

async function sessionUserId(): Promise<string | null> {
  const session = await getServerSession(authOptions);
  const id = (session?.user as { id?: string } | undefined)?.id;
  return id ?? null;
}

/** For dashboard pages: the signed-in member, or a redirect to the sign-in page. */
export async function requireMember(): Promise<SessionMember> {
  const userId = await sessionUserId();
  if (!userId) redirect("/sign-in");
  const jar = await cookies();
  const member = await resolveSessionMember(userId, jar.get(ACTIVE_TENANT_COOKIE)?.value);
  if (!member) redirect("/sign-in?error=NoTenant");
  return member;
}

export function memberContext(member: SessionMember): TenantContext {
  return {
    tenantId: member.active.tenantId,
    tenantSlug: member.active.slug,
    actor: { type: "user", userId: member.user.id, email: member.user.email, role: member.active.role },
    requestId: `act_${randomUUID()}`,
  };
}

/** For server actions: the member's context if their role covers `scope`, else a thrown ApiError. */
export async function requireMemberContext(scope: Scope): Promise<TenantContext> {
  const userId = await sessionUserId();
  if (!userId) throw new ApiError({ code: "unauthorized", message: "Sign in to continue" });
  const jar = await cookies();
  const member = await resolveSessionMember(userId, jar.get(ACTIVE_TENANT_COOKIE)?.value);
  if (!member) throw new ApiError({ code: "unauthorized", message: "Sign in to continue" });
  if (!roleAtLeast(member.active.role, roleForScope(scope))) {
    throw ApiError.forbidden(`Your role (${member.active.role}) cannot do this`);
  }
  return memberContext(member);
}
