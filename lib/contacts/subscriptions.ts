// Subscription state per contact, channel and topic. No row means subscribed; a channel-wide
// unsubscribe ('' topic) covers every topic. The suppression list stays the final guard on sends.
import { getDb, type DbOrTx } from "@/db";
import { findContact, findContactIdsByAddress, listSubscriptions, upsertSubscriptions, type SubscriptionRow } from "@/db/queries/contacts";
import type { ContactSubscription, SubscriptionChannel, SubscriptionStatus } from "@/db/schema/contacts";
import type { SuppressionReason } from "@/db/schema/suppressions";
import { ApiError } from "@/lib/api/errors";
import { recordAudit } from "@/lib/audit/record-audit";
import { systemContext, type TenantContext } from "@/lib/tenancy/context";
import type { SubscriptionOut } from "@/lib/validations/contacts";

export interface SetContactSubscriptionInput {
  tenantId: string;
  contactId: string;
  channel: SubscriptionChannel;
  /** A topic (e.g. `marketing`); omitted or null: the whole channel. */
  topic?: string | null;
  status: SubscriptionStatus;
  /** What caused it: `api`, `import`, `one_click`, `hard_bounce`, `spam_report`, `unsubscribe`, `admin`. */
  source: string;
}

export function toSubscriptionOut(row: ContactSubscription): SubscriptionOut {
  return { channel: row.channel, topic: row.topic === "" ? null : row.topic, status: row.status, source: row.source, changed_at: row.changedAt.toISOString() };
}

/**
 * Sets one subscription state (idempotent: the same status again keeps its first source and
 * time) and audits it. `ctx` is the actor when there is one; the one-click landing page has
 * none and is recorded as the system acting for the contact. 404 for another tenant's contact.
 */
export async function setContactSubscription(
  input: SetContactSubscriptionInput,
  opts: { ctx?: TenantContext; db?: DbOrTx } = {},
): Promise<SubscriptionOut> {
  const run = async (tx: DbOrTx) => {
    const contact = await findContact(tx, { tenantId: input.tenantId, id: input.contactId });
    if (!contact) throw ApiError.notFound("Contact");
    const [row] = await upsertSubscriptions(tx, [{ ...input, topic: input.topic ?? "" }]);
    const ctx = opts.ctx ?? systemContext({ id: input.tenantId, slug: "" }, `contact subscription (${input.source})`);
    await recordAudit(tx, ctx, {
      action: "contact.subscription_changed",
      targetType: "contact",
      targetId: input.contactId,
      details: { channel: input.channel, topic: input.topic ?? null, status: input.status, source: input.source },
    });
    return toSubscriptionOut(row!);
  };
  return opts.db ? run(opts.db) : getDb().transaction(run);
}

/** Every explicit state of a contact (channels without a row are subscribed). */
export async function getContactSubscriptions(input: { tenantId: string; contactId: string }, db: DbOrTx = getDb()): Promise<SubscriptionOut[]> {
  const rows = await listSubscriptions(db, { tenantId: input.tenantId, contactIds: [input.contactId] });
  return rows.map(toSubscriptionOut);
}

export interface SubscriptionBlock {
  channel: SubscriptionChannel;
  topic: string | null;
  source: string;
  since: string;
}

/** Why a contact may not receive `channel` (+ `topic`), or null when it may. */
export function subscriptionBlockOf(rows: Pick<ContactSubscription, "channel" | "topic" | "status" | "source" | "changedAt">[], channel: SubscriptionChannel, topic?: string | null): SubscriptionBlock | null {
  const hit =
    rows.find((r) => r.channel === channel && r.topic === "" && r.status === "unsubscribed") ??
    (topic ? rows.find((r) => r.channel === channel && r.topic === topic && r.status === "unsubscribed") : undefined);
  return hit ? { channel, topic: hit.topic === "" ? null : hit.topic, source: hit.source, since: hit.changedAt.toISOString() } : null;
}

/** For sends: the block (if any) of each of `contactIds` on `channel` + `topic`. */
export async function subscriptionBlocks(tenantId: string, contactIds: string[], channel: SubscriptionChannel, topic?: string | null, db: DbOrTx = getDb()) {
  const rows = await listSubscriptions(db, { tenantId, contactIds, channel });
  const byContact = new Map<string, ContactSubscription[]>();
  for (const r of rows) byContact.set(r.contactId, [...(byContact.get(r.contactId) ?? []), r]);
  const out = new Map<string, SubscriptionBlock>();
  for (const [id, list] of byContact) {
    const block = subscriptionBlockOf(list, channel, topic);
    if (block) out.set(id, block);
  }
  return out;
}

export function unsubscribedError(block: SubscriptionBlock, path = "contact_id") {
  const what = block.topic ? `${block.channel} messages about "${block.topic}"` : `${block.channel} messages`;
  return new ApiError({
    code: "COMM_UNSUBSCRIBED",
    status: 422,
    message: `The contact unsubscribed from ${what} (${block.source}, ${block.since}). Herald will not send it.`,
    details: [{ path, message: "Unsubscribed contact", channel: block.channel, topic: block.topic, source: block.source, since: block.since }],
  });
}

/**
 * Called with the suppressions a batch of provider webhooks adds (same transaction): the
 * contacts holding those addresses become unsubscribed from the whole channel, with the reason
 * as the source. The suppression list itself is unchanged and still guards every send.
 */
export async function unsubscribeContactsForSuppressions(
  tx: DbOrTx,
  rows: { tenantId: string; channel: SubscriptionChannel; address: string; reason: SuppressionReason }[],
): Promise<number> {
  const out: SubscriptionRow[] = [];
  const groups = new Map<string, typeof rows>();
  for (const r of rows) {
    if (r.channel === "push") continue;
    const k = `${r.tenantId}|${r.channel}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  for (const group of groups.values()) {
    const { tenantId, channel } = group[0]!;
    const found = await findContactIdsByAddress(tx, { tenantId, channel, addresses: group.map((g) => g.address) });
    for (const c of found) {
      const address = channel === "email" ? c.email : channel === "sms" ? c.phone : (c.whatsapp ?? c.phone);
      const reason = group.find((g) => g.address === address)?.reason ?? group[0]!.reason;
      out.push({ tenantId, contactId: c.id, channel, topic: "", status: "unsubscribed", source: reason });
    }
  }
  await upsertSubscriptions(tx, out);
  return out.length;
}
