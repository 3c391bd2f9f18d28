import { and, asc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { UNPAGED_LIST_LIMIT } from "./list-limits";
import { memberships, tenants, users, type Role } from "../schema";

export async function insertTenant(db: DbOrTx, input: { name: string; slug: string }) {
  const [row] = await db.insert(tenants).values(input).onConflictDoNothing({ target: tenants.slug }).returning();
  return row;
}

export async function findTenantBySlug(db: DbOrTx, { slug }: { slug: string }) {
  return db.query.tenants.findFirst({ where: eq(tenants.slug, slug) });
}

export async function findTenantById(db: DbOrTx, { tenantId }: { tenantId: string }) {
  return db.query.tenants.findFirst({ where: eq(tenants.id, tenantId) });
}

export async function listTenantsWithCounts(db: DbOrTx) {
  return db
    .select({
      id: tenants.id,
      slug: tenants.slug,
      name: tenants.name,
      createdAt: tenants.createdAt,
      members: sql<number>`(select count(*)::int from ${memberships} m where m.tenant_id = ${tenants.id})`,
    })
    .from(tenants)
    .orderBy(asc(tenants.slug));
}

export async function listMembershipsOfUser(db: DbOrTx, { userId }: { userId: string }) {
  return db
    .select({ tenantId: tenants.id, slug: tenants.slug, name: tenants.name, timezone: tenants.timezone, role: memberships.role })
    .from(memberships)
    .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(tenants.name));
}

export async function findMembership(db: DbOrTx, { tenantId, userId }: { tenantId: string; userId: string }) {
  return db.query.memberships.findFirst({
    where: and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)),
  });
}

export async function listMembers(db: DbOrTx, { tenantId }: { tenantId: string }) {
  return db
    .select({
      userId: users.id,
      email: users.email,
      name: users.name,
      role: memberships.role,
      joinedAt: memberships.createdAt,
      lastSignInAt: users.lastSignInAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.tenantId, tenantId))
    .orderBy(asc(users.email))
    .limit(UNPAGED_LIST_LIMIT);
}

/** Whether the email belongs to a member of this tenant (only this tenant's members are looked at). */
export async function isMemberByEmail(db: DbOrTx, { tenantId, email }: { tenantId: string; email: string }): Promise<boolean> {
  const [row] = await db
    .select({ userId: memberships.userId })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.tenantId, tenantId), sql`lower(${users.email}) = ${email.toLowerCase()}`))
    .limit(1);
  return row !== undefined;
}

export async function insertMembershipIfAbsent(db: DbOrTx, input: { tenantId: string; userId: string; role: Role }) {
  const [row] = await db.insert(memberships).values(input).onConflictDoNothing().returning();
  return row;
}

export async function upsertMembership(db: DbOrTx, input: { tenantId: string; userId: string; role: Role }) {
  const [row] = await db
    .insert(memberships)
    .values(input)
    .onConflictDoUpdate({ target: [memberships.tenantId, memberships.userId], set: { role: input.role } })
    .returning();
  return row!;
}

export async function updateMembershipRole(
  db: DbOrTx,
  { tenantId, userId, role }: { tenantId: string; userId: string; role: Role },
) {
  const [row] = await db
    .update(memberships)
    .set({ role })
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)))
    .returning();
  return row;
}

export async function deleteMembership(db: DbOrTx, { tenantId, userId }: { tenantId: string; userId: string }) {
  const [row] = await db
    .delete(memberships)
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)))
    .returning();
  return row;
}

export async function countOwners(db: DbOrTx, { tenantId }: { tenantId: string }) {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(memberships)
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.role, "owner")));
  return row?.n ?? 0;
}

export async function updateTenantTimezone(db: DbOrTx, { tenantId, timezone }: { tenantId: string; timezone: string }) {
  const [row] = await db.update(tenants).set({ timezone, updatedAt: new Date() }).where(eq(tenants.id, tenantId)).returning();
  return row;
}
