// The tenant's suppression list: addresses that unsubscribed, hard-bounced or reported spam.
import { createHash } from "node:crypto";
import { getDb, type DbOrTx } from "@/db";
import { findSuppressedAddresses } from "@/db/queries/webhook-events";
import type { Channel } from "@/db/schema/messages";
import type { SuppressionReason } from "@/db/schema/suppressions";
import { ApiError } from "@/lib/api/errors";

/** Email addresses compare case-insensitively; numbers without spaces, with a leading +. */
export function normalizeAddress(channel: Channel, address: string): string {
  const a = address.trim();
  if (channel === "email") return a.toLowerCase();
  if (channel === "sms" || channel === "whatsapp") {
    const digits = a.replace(/[^\d+]/g, "");
    return digits.startsWith("+") ? digits : `+${digits}`;
  }
  return a;
}

/**
 * How a suppression is kept once its contact is erased (GDPR): the address's SHA-256, so the
 * address stays refused without being stored.
 */
export function erasedAddressKey(normalizedAddress: string): string {
  return `sha256:${createHash("sha256").update(normalizedAddress, "utf8").digest("hex")}`;
}

/** The suppression of `recipient` on `channel` for the tenant, or null. Push recipients are never suppressed here. */
export async function isSuppressed(
  tenantId: string,
  channel: Channel,
  recipient: string,
  db: DbOrTx = getDb(),
): Promise<{ reason: SuppressionReason; since: Date } | null> {
  if (channel === "push") return null;
  const address = normalizeAddress(channel, recipient);
  const [row] = await findSuppressedAddresses(db, { tenantId, channel, addresses: [address, erasedAddressKey(address)] });
  return row ? { reason: row.reason, since: row.createdAt } : null;
}

/** For batches: the suppressed ones among `recipients` (normalized address → reason), erased ones included. */
export async function suppressedAmong(tenantId: string, channel: Channel, recipients: string[], db: DbOrTx = getDb()) {
  if (channel === "push" || recipients.length === 0) return new Map<string, SuppressionReason>();
  const byKey = new Map<string, string>();
  for (const r of recipients) {
    const a = normalizeAddress(channel, r);
    byKey.set(a, a).set(erasedAddressKey(a), a);
  }
  const rows = await findSuppressedAddresses(db, { tenantId, channel, addresses: [...byKey.keys()] });
  return new Map(rows.map((r) => [byKey.get(r.address)!, r.reason]));
}

/** The addresses a send would reach that the suppression list covers (email `to`, SMS/WhatsApp `to`). */
function sendAddresses(input: { channel: Channel; payload: unknown }): string[] {
  const to = (input.payload as { to?: unknown }).to;
  if (input.channel === "email") return Array.isArray(to) ? to.map((r) => (typeof r === "string" ? r : String((r as { email?: unknown }).email ?? ""))) : [];
  if (input.channel === "sms" || input.channel === "whatsapp") return typeof to === "string" ? [to] : [];
  return [];
}

export function suppressedError(address: string, reason: SuppressionReason) {
  const why = { unsubscribe: "unsubscribed", hard_bounce: "hard-bounced", spam_report: "reported a message as spam", manual: "was suppressed by an admin" }[reason];
  return new ApiError({
    code: "COMM_SUPPRESSED",
    status: 422,
    message: `${address} is on this tenant's suppression list: it ${why}. Herald will not send to it.`,
    details: [{ path: "to", message: "Suppressed recipient", address, reason }],
  });
}

/**
 * For the send path: loads the suppressions for every input at once and returns a check that
 * gives the COMM_SUPPRESSED error for an input, or undefined.
 */
export async function suppressionCheck(tenantId: string, inputs: { channel: Channel; payload: unknown }[], db: DbOrTx = getDb()) {
  const byChannel = new Map<Channel, string[]>();
  for (const i of inputs) byChannel.set(i.channel, [...(byChannel.get(i.channel) ?? []), ...sendAddresses(i)]);
  const found = new Map<string, SuppressionReason>();
  for (const [channel, addresses] of byChannel) {
    for (const [address, reason] of await suppressedAmong(tenantId, channel, addresses, db)) found.set(`${channel}:${address}`, reason);
  }
  return (input: { channel: Channel; payload: unknown }): ApiError | undefined => {
    if (found.size === 0) return undefined;
    for (const a of sendAddresses(input)) {
      const reason = found.get(`${input.channel}:${normalizeAddress(input.channel, a)}`);
      if (reason) return suppressedError(a, reason);
    }
    return undefined;
  };
}
