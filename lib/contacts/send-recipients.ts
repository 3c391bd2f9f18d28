// Sends that name a contact instead of an address: pick the contact's address for the channel
// and refuse what its subscription state forbids, before the send is parsed and routed.
import { getDb } from "@/db";
import { findContactsByRefs, listPushTargets } from "@/db/queries/contacts";
import type { Contact, SubscriptionChannel } from "@/db/schema/contacts";
import { ApiError } from "@/lib/api/errors";
import type { TenantContext } from "@/lib/tenancy/context";
import { isUuid } from "@/lib/validations/common";
import { externalIdSchema } from "@/lib/validations/contacts";
import { channels } from "@/lib/validations/messages";
import { subscriptionBlocks, unsubscribedError } from "./subscriptions";

export type ResolvedSend = { raw: unknown; contactId?: string } | { error: ApiError };

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);
const ADDRESS_FIELDS: Record<SubscriptionChannel, string[]> = { email: ["to"], sms: ["to"], whatsapp: ["to"], push: ["target", "topic"] };

function invalid(path: string, message: string) {
  return new ApiError({ code: "validation_failed", message: "The message is invalid", details: [{ path, message }] });
}

function noAddress(channel: SubscriptionChannel) {
  const what = { email: "an email address", sms: "a phone number", whatsapp: "a WhatsApp or phone number", push: "an active push target" }[channel];
  return new ApiError({
    code: "COMM_NO_ADDRESS",
    status: 422,
    message: `The contact has no ${what.replace(/^an? /, "")}; add ${what} to it or send to an address.`,
    details: [{ path: "contact_id", message: `The contact has no ${what}`, channel }],
  });
}

/**
 * For each raw send: unchanged when it names no contact; otherwise the contact's address filled
 * in (`to`, or the push `target` of its newest active device token), `contactId` set, or the
 * error for that item (404 unknown contact, 422 COMM_UNSUBSCRIBED / COMM_NO_ADDRESS / both an
 * address and a contact). One read per kind of data for the whole batch.
 */
export async function resolveContactRecipients(ctx: TenantContext, raws: unknown[]): Promise<ResolvedSend[]> {
  const refs = raws.map((raw) => {
    if (!isObject(raw) || (raw.contact_id === undefined && raw.external_id === undefined)) return null;
    return { id: raw.contact_id, ext: raw.external_id };
  });
  if (refs.every((r) => r === null)) return raws.map((raw) => ({ raw }));
  const ids = refs.flatMap((r) => (r && typeof r.id === "string" && isUuid(r.id) ? [r.id] : []));
  const exts = refs.flatMap((r) => (r && typeof r.ext === "string" && externalIdSchema.safeParse(r.ext).success ? [r.ext.trim()] : []));
  const db = getDb();
  const found = await findContactsByRefs(db, { tenantId: ctx.tenantId, ids: [...new Set(ids)], externalIds: [...new Set(exts)] });
  const byId = new Map(found.map((c) => [c.id, c]));
  const byExt = new Map(found.filter((c) => c.externalId).map((c) => [c.externalId!, c]));

  const contactOf = (r: { id: unknown; ext: unknown }): Contact | ApiError => {
    if (r.id !== undefined && r.ext !== undefined) return invalid("contact_id", "Give contact_id or external_id, not both");
    if (r.id !== undefined) {
      if (typeof r.id !== "string") return invalid("contact_id", "contact_id is a contact id (UUID)");
      return byId.get(r.id) ?? ApiError.notFound("Contact");
    }
    const ext = externalIdSchema.safeParse(r.ext);
    if (!ext.success) return invalid("external_id", ext.error.issues[0]!.message);
    return byExt.get(ext.data) ?? ApiError.notFound("Contact");
  };

  const items = raws.map((raw, i) => {
    const r = refs[i];
    if (!r) return { raw };
    const contact = contactOf(r);
    if (contact instanceof ApiError) return { error: contact };
    const o = raw as Raw;
    const channel = (channels as readonly string[]).includes(String(o.channel)) ? (o.channel as SubscriptionChannel) : null;
    const topic = typeof o.subscription_topic === "string" ? o.subscription_topic.trim() : null;
    return { raw: o, contact, channel, topic };
  });

  // Subscription state and push targets, read once per channel/topic and for all push contacts.
  const groups = new Map<string, { channel: SubscriptionChannel; topic: string | null; ids: string[] }>();
  for (const it of items) {
    if (!("contact" in it) || !it.channel) continue;
    const k = `${it.channel}|${it.topic ?? ""}`;
    const g = groups.get(k) ?? { channel: it.channel, topic: it.topic, ids: [] };
    g.ids.push(it.contact!.id);
    groups.set(k, g);
  }
  const blocks = new Map<string, Awaited<ReturnType<typeof subscriptionBlocks>>>();
  for (const [k, g] of groups) blocks.set(k, await subscriptionBlocks(ctx.tenantId, [...new Set(g.ids)], g.channel, g.topic, db));
  const pushIds = items.flatMap((it) => ("contact" in it && it.channel === "push" ? [it.contact!.id] : []));
  const targets = await listPushTargets(db, { tenantId: ctx.tenantId, contactIds: [...new Set(pushIds)] });

  return items.map((it): ResolvedSend => {
    if ("error" in it) return { error: it.error! };
    if (!("contact" in it)) return { raw: it.raw };
    const { contact, channel, topic } = it as { raw: Raw; contact: Contact; channel: SubscriptionChannel | null; topic: string | null };
    const { contact_id: _id, external_id: _ext, ...rest } = it.raw as Raw;
    // Unknown channel: leave the send to the parser, which reports it.
    if (!channel) return { raw: rest, contactId: contact.id };
    const given = ADDRESS_FIELDS[channel].find((f) => rest[f] !== undefined);
    if (given) return { error: invalid(given, `Give either ${given} or contact_id/external_id, not both`) };
    const block = blocks.get(`${channel}|${topic ?? ""}`)?.get(contact.id);
    if (block) return { error: unsubscribedError(block) };
    const address = addressFor(contact, channel, targets);
    if (!address) return { error: noAddress(channel) };
    return { raw: { ...rest, ...address }, contactId: contact.id };
  });
}

function addressFor(contact: Contact, channel: SubscriptionChannel, targets: Awaited<ReturnType<typeof listPushTargets>>): Raw | null {
  switch (channel) {
    case "email":
      return contact.email ? { to: [{ email: contact.email, ...(contact.name ? { name: contact.name.slice(0, 200) } : {}) }] } : null;
    case "sms":
      return contact.phone ? { to: contact.phone } : null;
    case "whatsapp": {
      const n = contact.whatsapp ?? contact.phone;
      return n ? { to: n } : null;
    }
    case "push": {
      // Newest active target first (listPushTargets orders by updated_at desc); dead tokens never.
      const t = targets.find((x) => x.contactId === contact.id && x.active);
      if (!t) return null;
      const platform = t.platform ?? "android";
      return { target: t.provider === "onesignal" ? { player_id: t.token, platform } : { device_token: t.token, platform } };
    }
  }
}

/** The single-send form: the resolved raw body and contact, or the item's error thrown. */
export async function resolveContactRecipient(ctx: TenantContext, raw: unknown): Promise<{ raw: unknown; contactId?: string }> {
  const [r] = await resolveContactRecipients(ctx, [raw]);
  if ("error" in r!) throw r.error;
  return r!;
}
