import { getDb } from "@/db";
import {
  countOwners,
  deleteMembership,
  findMembership,
  findTenantBySlug,
  listMembers as listMemberRows,
  updateMembershipRole,
  upsertMembership,
} from "@/db/queries/tenants";
import { findUserByEmail, findUserById, insertUserIfAbsent, updateUserPassword } from "@/db/queries/users";
import type { Role } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record-audit";
import { ApiError } from "@/lib/api/errors";
import { generateOneTimePassword, hashPassword, verifyPassword } from "@/lib/auth/passwords";
import type { TenantContext } from "@/lib/tenancy/context";
import { assertMayGrant } from "./grant";

export async function listMembers(ctx: TenantContext) {
  return listMemberRows(getDb(), { tenantId: ctx.tenantId });
}

export interface AddedMember {
  userId: string;
  email: string;
  role: Role;
  /** Set only when a new account was created: printed once, never stored in clear. */
  oneTimePassword: string | null;
}

/**
 * Headless setup only (admin CLI, seed) — the operator's own authority, no consent step: adds the
 * email as a member, creating the account with a one-time password (to be changed at first
 * sign-in) when it has none. Members invited through the API go through invitations instead.
 */
async function addMemberDirectly(ctx: TenantContext, input: { email: string; name?: string; role: Role }): Promise<AddedMember> {
  assertMayGrant(ctx, input.role);
  const email = input.email.trim().toLowerCase();
  const oneTimePassword = generateOneTimePassword();
  const passwordHash = await hashPassword(oneTimePassword);
  return getDb().transaction(async (tx) => {
    // Insert-or-read: two concurrent adds of one new email both end with the same account.
    const created = await insertUserIfAbsent(tx, { email, name: input.name ?? null, passwordHash, mustChangePassword: true });
    const user = created ?? (await findUserByEmail(tx, { email }));
    if (!user) throw ApiError.conflict(`${email} could not be added; try again`);
    if (!created && (await findMembership(tx, { tenantId: ctx.tenantId, userId: user.id }))) {
      throw ApiError.conflict(`${email} is already a member of this tenant`);
    }
    await upsertMembership(tx, { tenantId: ctx.tenantId, userId: user.id, role: input.role });
    await recordAudit(tx, ctx, {
      action: "member.added",
      targetType: "user",
      targetId: user.id,
      details: { email, role: input.role, new_account: created !== undefined },
    });
    return { userId: user.id, email, role: input.role, oneTimePassword: created ? oneTimePassword : null };
  });
}

export async function changeMemberRole(ctx: TenantContext, userId: string, role: Role) {
  return getDb().transaction(async (tx) => {
    const current = await findMembership(tx, { tenantId: ctx.tenantId, userId });
    if (!current) throw ApiError.notFound("Member");
    if (current.role === role) return current;
    assertMayGrant(ctx, role);
    if (current.role === "owner") {
      assertMayGrant(ctx, "owner");
      if ((await countOwners(tx, { tenantId: ctx.tenantId })) <= 1) {
        throw ApiError.conflict("A tenant must keep at least one owner");
      }
    }
    const updated = await updateMembershipRole(tx, { tenantId: ctx.tenantId, userId, role });
    await recordAudit(tx, ctx, {
      action: "member.role_changed",
      targetType: "user",
      targetId: userId,
      details: { from: current.role, to: role },
    });
    return updated!;
  });
}

export async function removeMember(ctx: TenantContext, userId: string) {
  await getDb().transaction(async (tx) => {
    const current = await findMembership(tx, { tenantId: ctx.tenantId, userId });
    if (!current) throw ApiError.notFound("Member");
    if (current.role === "owner") {
      assertMayGrant(ctx, "owner");
      if ((await countOwners(tx, { tenantId: ctx.tenantId })) <= 1) {
        throw ApiError.conflict("A tenant must keep at least one owner");
      }
    }
    await deleteMembership(tx, { tenantId: ctx.tenantId, userId });
    await recordAudit(tx, ctx, { action: "member.removed", targetType: "user", targetId: userId, details: { role: current.role } });
  });
}

/** Headless setup (admin CLI, seed): a member of the tenant named by slug, created if needed. */
export async function createMemberForTenantSlug(input: { tenantSlug: string; email: string; role: Role; name?: string }) {
  const tenant = await findTenantBySlug(getDb(), { slug: input.tenantSlug });
  if (!tenant) throw ApiError.notFound(`Tenant "${input.tenantSlug}"`);
  const ctx: TenantContext = {
    tenantId: tenant.id,
    tenantSlug: tenant.slug,
    actor: { type: "system", label: "admin cli" },
    requestId: `cli_${Date.now().toString(36)}`,
  };
  return { tenant, member: await addMemberDirectly(ctx, input) };
}

export async function changeOwnPassword(userId: string, input: { currentPassword: string; newPassword: string }) {
  const db = getDb();
  const user = await findUserById(db, { userId });
  if (!user) throw ApiError.notFound("User");
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    throw new ApiError({
      code: "validation_failed",
      message: "The current password is wrong",
      details: [{ path: "current_password", message: "The current password is wrong" }],
    });
  }
  await updateUserPassword(db, { userId, passwordHash: await hashPassword(input.newPassword), mustChangePassword: false });
}

