// Invitations: an admin offers membership; the invitee accepts (signed in, or by choosing a password).
// Nothing about the invitee's account — whether one exists, its name, its sign-ins — is shown to
// the tenant before they accept.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { getDb } from "@/db";
import {
  findInvitationByTokenHash,
  findOpenInvitationByEmail,
  insertInvitation,
  listOpenInvitations,
  markInvitationAccepted,
  reissueInvitation,
  revokeInvitation as revokeInvitationRow,
} from "@/db/queries/member-invitations";
import { findMembership, insertMembershipIfAbsent, isMemberByEmail } from "@/db/queries/tenants";
import { findUserById, insertUserIfAbsent } from "@/db/queries/users";
import type { MemberInvitation, Role } from "@/db/schema";
import { ApiError } from "@/lib/api/errors";
import { recordAudit } from "@/lib/audit/record-audit";
import { hashPassword } from "@/lib/auth/passwords";
import { sendMessage } from "@/lib/messaging/send-message";
import { publicBaseUrl } from "@/lib/providers/callback-urls";
import { listActiveConfigs } from "@/lib/providers/config-record";
import { actorUserId, type TenantContext } from "@/lib/tenancy/context";
import { channelPayloadSchemas } from "@/lib/validations/messages";
import { providerChannels } from "@/lib/providers/definitions";
import { assertMayGrant } from "./grant";

/** How long an accept link works (HERALD_INVITATION_TTL_HOURS, default 7 days); resending starts it again. */
export const INVITATION_TTL_MS = Number(process.env.HERALD_INVITATION_TTL_HOURS ?? 168) * 3_600_000;

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");
const newToken = () => randomBytes(32).toString("base64url");
export const acceptUrlFor = (token: string) => `${publicBaseUrl()}/invite/${token}`;

export type InvitationStatus = "pending" | "expired" | "accepted" | "revoked";

function statusOf(inv: MemberInvitation, now = Date.now()): InvitationStatus {
  if (inv.acceptedAt) return "accepted";
  if (inv.revokedAt) return "revoked";
  return inv.expiresAt.getTime() <= now ? "expired" : "pending";
}

export function invitationJson(inv: MemberInvitation, invitedByEmail: string | null) {
  return {
    id: inv.id,
    email: inv.email,
    role: inv.role,
    status: statusOf(inv),
    invited_by: invitedByEmail,
    expires_at: inv.expiresAt.toISOString(),
    last_sent_at: inv.lastSentAt.toISOString(),
    created_at: inv.createdAt.toISOString(),
  };
}
export type InvitationJson = ReturnType<typeof invitationJson>;

export interface IssuedInvitation {
  invitation: InvitationJson;
  /** The one-time link: in this answer (and the email) only; Herald keeps its hash. */
  acceptUrl: string;
  emailed: { sent: true; messageId: string } | { sent: false; reason: string };
}

const inviterEmail = (ctx: TenantContext) => (ctx.actor.type === "user" ? ctx.actor.email : null);

/**
 * Through the normal send path (routing, suppression, delivery workflow), when the tenant has an
 * active email config. Message output masks `/invite/<token>` links, so members who can read
 * messages cannot take the invitation for themselves.
 */
async function emailInvitation(ctx: TenantContext, inv: MemberInvitation, url: string): Promise<IssuedInvitation["emailed"]> {
  const configs = (await listActiveConfigs(ctx.tenantId)).filter((c) => providerChannels[c.provider] === "email");
  if (configs.length === 0) return { sent: false, reason: "The tenant has no active email config: hand the link over yourself" };
  const expires = inv.expiresAt.toUTCString();
  const payload = channelPayloadSchemas.email.parse({
    to: [{ email: inv.email }],
    subject: `You are invited to ${ctx.tenantSlug} on Herald`,
    body_text: `${inviterEmail(ctx) ?? "An administrator"} invites you to join ${ctx.tenantSlug} on Herald as ${inv.role}.\n\nAccept the invitation: ${url}\n\nThe link works once and until ${expires}. If you did not expect this, ignore this email.`,
  });
  try {
    const sent = await sendMessage(ctx, { channel: "email", payload: payload as Record<string, unknown>, context: { herald_invitation_id: inv.id } }, { endpoint: "members/invitations" });
    return { sent: true, messageId: sent.body.id };
  } catch (err) {
    // Refused (no route, suppressed, quota): the link is still valid and in the answer.
    if (err instanceof ApiError) return { sent: false, reason: err.message };
    throw err;
  }
}

/**
 * Opens an invitation. The answer is the same whether or not the email has a Herald account;
 * only an existing member of this tenant, or an open invitation, is a conflict (409).
 */
export async function createInvitation(ctx: TenantContext, input: { email: string; role: Role }): Promise<IssuedInvitation> {
  assertMayGrant(ctx, input.role);
  const email = input.email.trim().toLowerCase();
  const token = newToken();
  const db = getDb();
  const inv = await db.transaction(async (tx) => {
    if (await isMemberByEmail(tx, { tenantId: ctx.tenantId, email })) throw ApiError.conflict(`${email} is already a member of this tenant`);
    const row = await insertInvitation(tx, {
      id: randomUUID(),
      tenantId: ctx.tenantId,
      email,
      role: input.role,
      invitedBy: actorUserId(ctx.actor),
      tokenHash: hashToken(token),
      expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
    });
    if (!row) {
      const openOne = await findOpenInvitationByEmail(tx, { tenantId: ctx.tenantId, email });
      throw ApiError.conflict(`An invitation to ${email} is already open: resend or revoke it`, { invitation_id: openOne?.id ?? null });
    }
    await recordAudit(tx, ctx, { action: "member.invited", targetType: "invitation", targetId: row.id, details: { email, role: input.role } });
    return row;
  });
  const url = acceptUrlFor(token);
  return { invitation: invitationJson(inv, inviterEmail(ctx)), acceptUrl: url, emailed: await emailInvitation(ctx, inv, url) };
}

export async function listInvitations(ctx: TenantContext): Promise<InvitationJson[]> {
  const rows = await listOpenInvitations(getDb(), { tenantId: ctx.tenantId });
  return rows.map((r) => invitationJson(r.invitation, r.invitedByEmail));
}

/** A fresh link (the old one stops working) and a fresh expiry; emailed again when possible. */
export async function resendInvitation(ctx: TenantContext, id: string): Promise<IssuedInvitation> {
  const token = newToken();
  const db = getDb();
  const inv = await db.transaction(async (tx) => {
    const row = await reissueInvitation(tx, { tenantId: ctx.tenantId, id, tokenHash: hashToken(token), expiresAt: new Date(Date.now() + INVITATION_TTL_MS) });
    if (!row) throw ApiError.notFound("Open invitation");
    assertMayGrant(ctx, row.role);
    await recordAudit(tx, ctx, { action: "member.invitation_resent", targetType: "invitation", targetId: id, details: { email: row.email } });
    return row;
  });
  const url = acceptUrlFor(token);
  return { invitation: invitationJson(inv, inviterEmail(ctx)), acceptUrl: url, emailed: await emailInvitation(ctx, inv, url) };
}

export async function revokeInvitation(ctx: TenantContext, id: string): Promise<void> {
  await getDb().transaction(async (tx) => {
    const row = await revokeInvitationRow(tx, { tenantId: ctx.tenantId, id, revokedBy: actorUserId(ctx.actor) });
    if (!row) throw ApiError.notFound("Open invitation");
    await recordAudit(tx, ctx, { action: "member.invitation_revoked", targetType: "invitation", targetId: id, details: { email: row.email } });
  });
}

export interface InvitationView {
  status: InvitationStatus | "unknown";
  tenantName?: string;
  email?: string;
  role?: Role;
  expiresAt?: string;
}

/** What the accept page shows for a link (only to whoever holds it). */
export async function describeInvitation(token: string): Promise<InvitationView> {
  const found = await findInvitationByTokenHash(getDb(), { tokenHash: hashToken(token) });
  if (!found) return { status: "unknown" };
  const inv = found.invitation;
  return { status: statusOf(inv), tenantName: found.tenantName, email: inv.email, role: inv.role, expiresAt: inv.expiresAt.toISOString() };
}

const closed = (status: InvitationStatus | "unknown") =>
  status === "unknown"
    ? ApiError.notFound("Invitation")
    : new ApiError({ code: "invitation_closed", status: 410, message: `This invitation is ${status === "pending" ? "no longer open" : status}; ask for a new one` });

/**
 * Accepts: as the signed-in user whose email the invitation names, or — with no session — by
 * choosing a password for a new account (an email that already has an account must sign in).
 * The membership and the invitation's closing commit together; a second accept gets 410.
 */
export async function acceptInvitation(input: {
  token: string;
  sessionUserId: string | null;
  password?: string;
  name?: string;
}): Promise<{ tenantSlug: string; tenantName: string; email: string; newAccount: boolean }> {
  const db = getDb();
  const found = await findInvitationByTokenHash(db, { tokenHash: hashToken(input.token) });
  if (!found || statusOf(found.invitation) !== "pending") throw closed(found ? statusOf(found.invitation) : "unknown");
  const inv = found.invitation;
  let sessionUser: Awaited<ReturnType<typeof findUserById>> | undefined;
  if (input.sessionUserId) {
    sessionUser = await findUserById(db, { userId: input.sessionUserId });
    if (!sessionUser) throw new ApiError({ code: "unauthorized", message: "Sign in to accept" });
    if (sessionUser.email.toLowerCase() !== inv.email) {
      throw ApiError.forbidden(`This invitation is for ${inv.email}; sign in with that account to accept it`);
    }
  } else if (!input.password) {
    throw new ApiError({ code: "unauthorized", message: "Sign in to accept, or choose a password for a new account" });
  }
  const passwordHash = sessionUser ? null : await hashPassword(input.password!);
  return db.transaction(async (tx) => {
    let userId = sessionUser?.id;
    if (!userId) {
      const created = await insertUserIfAbsent(tx, { email: inv.email, name: input.name?.trim() || null, passwordHash: passwordHash!, mustChangePassword: false });
      if (!created) throw ApiError.conflict(`${inv.email} already has a Herald account: sign in to accept the invitation`);
      userId = created.id;
    }
    const accepted = await markInvitationAccepted(tx, { id: inv.id, userId });
    if (!accepted) throw closed("accepted");
    // Already a member (added some other way meanwhile): keep the role they have.
    if (!(await findMembership(tx, { tenantId: inv.tenantId, userId }))) await insertMembershipIfAbsent(tx, { tenantId: inv.tenantId, userId, role: inv.role });
    const ctx: TenantContext = {
      tenantId: inv.tenantId,
      tenantSlug: found.tenantSlug,
      actor: { type: "user", userId, email: inv.email, role: inv.role },
      requestId: `inv_${randomUUID()}`,
    };
    await recordAudit(tx, ctx, { action: "member.joined", targetType: "user", targetId: userId, details: { invitation_id: inv.id, role: inv.role } });
    return { tenantSlug: found.tenantSlug, tenantName: found.tenantName, email: inv.email, newAccount: !sessionUser };
  });
}
