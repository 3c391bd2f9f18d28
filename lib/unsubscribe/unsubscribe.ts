// Applying a one-click unsubscribe: the contact's subscription to the token's topic (all contacts holding
// the address when the send named none), else — with no contact to hold a topic — the channel's suppression list.
import { getDb } from "@/db";
import { findContact, findContactIdsByAddress } from "@/db/queries/contacts";
import { insertSuppressions } from "@/db/queries/webhook-events";
import { findTenantById } from "@/db/queries/tenants";
import { setContactSubscription } from "@/lib/contacts";
import { normalizeAddress } from "@/lib/suppressions";
import type { UnsubscribeClaims } from "./token";

export interface UnsubscribeOutcome {
  tenantName: string;
  address: string;
  topic: string;
  /** Which record changed: contact subscriptions (how many contacts) or the suppression list. */
  applied: { contacts: number; suppressed: boolean };
}

/** Idempotent: a second click changes nothing and answers the same. */
export async function applyUnsubscribe(claims: UnsubscribeClaims): Promise<UnsubscribeOutcome> {
  const db = getDb();
  const address = normalizeAddress(claims.channel, claims.address);
  return db.transaction(async (tx) => {
    const tenant = await findTenantById(tx, { tenantId: claims.tenantId });
    const ids = new Set<string>();
    if (claims.contactId && (await findContact(tx, { tenantId: claims.tenantId, id: claims.contactId }))) ids.add(claims.contactId);
    if (ids.size === 0) {
      for (const c of await findContactIdsByAddress(tx, { tenantId: claims.tenantId, channel: claims.channel, addresses: [address] })) ids.add(c.id);
    }
    for (const contactId of ids) {
      await setContactSubscription(
        { tenantId: claims.tenantId, contactId, channel: claims.channel, topic: claims.topic, status: "unsubscribed", source: "one_click" },
        { db: tx },
      );
    }
    let suppressed = false;
    if (ids.size === 0) {
      // Nobody to hold a per-topic state: suppress the address on the channel rather than ignore the request.
      await insertSuppressions(tx, [{ tenantId: claims.tenantId, channel: claims.channel, address, reason: "unsubscribe", provider: null, sourceEventId: null, messageId: null }]);
      suppressed = true;
    }
    return { tenantName: tenant?.name ?? "", address, topic: claims.topic, applied: { contacts: ids.size, suppressed } };
  });
}
