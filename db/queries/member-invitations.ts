// Member invitations: one open invitation per tenant and email; every state change is conditional.
import { and, asc, eq, gt, isNull, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { DbOrTx } from "../index";
import { memberInvitations, tenants, users, type Role } from "../schema";

const open = and(isNull(memberInvitations.acceptedAt), isNull(memberInvitations.revokedAt));

/** Inserts unless an open invitation for the email exists (then undefined: the caller answers 409). */
export async function insertInvitation(
  db: DbOrTx,
  row: { id: string; tenantId: string; email: string; role: Role; invitedBy: string | null; tokenHash: string; expiresAt: Date },
) {
  const [inserted] = await db.insert(memberInvitations).values(row).onConflictDoNothing().returning();
  return inserted;
}

export async function findOpenInvitationByEmail(db: DbOrTx, f: { tenantId: string; email: string }) {
  return db.query.memberInvitations.findFirst({ where: and(eq(memberInvitations.tenantId, f.tenantId), eq(memberInvitations.email, f.email), open) });
}

const inviter = alias(users, "inviter");

/** Open invitations of a tenant with the inviter's email (a member of this tenant, or was). */
export async function listOpenInvitations(db: DbOrTx, f: { tenantId: string }) {
  return db
    .select({ invitation: memberInvitations, invitedByEmail: inviter.email })
    .from(memberInvitations)
    .leftJoin(inviter, eq(inviter.id, memberInvitations.invitedBy))
    .where(and(eq(memberInvitations.tenantId, f.tenantId), open))
    .orderBy(asc(memberInvitations.email))
    .limit(1000);
}

/** The invitation a link names, with its tenant's name (any state: the page explains why it is closed). */
export async function findInvitationByTokenHash(db: DbOrTx, f: { tokenHash: string }) {
  const [row] = await db
    .select({ invitation: memberInvitations, tenantName: tenants.name, tenantSlug: tenants.slug })
    .from(memberInvitations)
    .innerJoin(tenants, eq(tenants.id, memberInvitations.tenantId))
    .where(eq(memberInvitations.tokenHash, f.tokenHash));
  return row;
}

/** Closes an open, unexpired invitation as accepted; undefined if someone else closed it first. */
export async function markInvitationAccepted(db: DbOrTx, f: { id: string; userId: string }) {
  const [row] = await db
    .update(memberInvitations)
    .set({ acceptedAt: sql`now()`, acceptedBy: f.userId })
    .where(and(eq(memberInvitations.id, f.id), open, gt(memberInvitations.expiresAt, sql`now()`)))
    .returning();
  return row;
}

export async function revokeInvitation(db: DbOrTx, f: { tenantId: string; id: string; revokedBy: string | null }) {
  const [row] = await db
    .update(memberInvitations)
    .set({ revokedAt: sql`now()`, revokedBy: f.revokedBy })
    .where(and(eq(memberInvitations.tenantId, f.tenantId), eq(memberInvitations.id, f.id), open))
    .returning();
  return row;
}

/** A new token and expiry for an open invitation (resend): the previous link stops working. */
export async function reissueInvitation(db: DbOrTx, f: { tenantId: string; id: string; tokenHash: string; expiresAt: Date }) {
  const [row] = await db
    .update(memberInvitations)
    .set({ tokenHash: f.tokenHash, expiresAt: f.expiresAt, lastSentAt: sql`now()` })
    .where(and(eq(memberInvitations.tenantId, f.tenantId), eq(memberInvitations.id, f.id), open))
    .returning();
  return row;
}
