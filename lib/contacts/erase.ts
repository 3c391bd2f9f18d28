// GDPR erasure: the contact's personal data leaves every table; message rows keep their ids and
// statuses with the address redacted; the erasure is audited and announced to integrations.
import { getDb } from "@/db";
import { redactContactData } from "@/db/queries/contact-erasure";
import { deleteContact, listPushTargets, lockContact } from "@/db/queries/contacts";
import { ApiError } from "@/lib/api/errors";
import { recordAudit } from "@/lib/audit/record-audit";
import { emitEvent } from "@/lib/jobs/emit";
import { enqueueWebhookDeliveries, webhookBody } from "@/lib/outbound-webhooks/enqueue";
import { normalizeAddress } from "@/lib/suppressions";
import type { TenantContext } from "@/lib/tenancy/context";

const escapeRegex = (s: string) => s.replace(/[\\^$.|?*+()[\]{}]/g, "\\$&");
/** Names shorter than this are not searched for (they would match inside unrelated words). */
const MIN_NAME_NEEDLE = 3;

function alternation(needles: string[]): string | null {
  const unique = [...new Set(needles.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);
  return unique.length ? unique.map(escapeRegex).join("|") : null;
}

export interface ErasureResult {
  contact_id: string;
  external_id: string | null;
  messages_redacted: number;
  erased_at: string;
}

/**
 * Erases a contact in one transaction: redacts its messages (and their attempts, webhook
 * events, communication events, outbound deliveries) and every other row naming its email or
 * numbers, keeps suppressions as hashes, deletes the contact (subscriptions, relationships, list
 * memberships and live push targets with it), audits it and enqueues `contact.erased.v1`.
 */
export async function eraseContact(ctx: TenantContext, id: string): Promise<ErasureResult> {
  return getDb().transaction(async (tx) => {
    const contact = await lockContact(tx, { tenantId: ctx.tenantId, id });
    if (!contact) throw ApiError.notFound("Contact");
    const tokens = (await listPushTargets(tx, { tenantId: ctx.tenantId, contactIds: [id] })).filter((t) => t.active).map((t) => t.token);
    const numbers = [contact.phone, contact.whatsapp].filter((v): v is string => !!v);
    const addresses = [...(contact.email ? [normalizeAddress("email", contact.email)] : []), ...numbers.map((n) => normalizeAddress("sms", n))];
    // Numbers also appear without their + (provider payloads, form posts).
    const addressNeedles = [...addresses, ...numbers.map((n) => n.replace(/^\+/, "")), ...tokens];
    const nameNeedles = [contact.name, contact.phoneRaw].filter((v): v is string => !!v && v.trim().length >= MIN_NAME_NEEDLE).map((v) => JSON.stringify(v).slice(1, -1));
    const redacted = await redactContactData(tx, {
      tenantId: ctx.tenantId,
      contactId: id,
      addressPattern: alternation(addressNeedles),
      redactPattern: alternation([...addressNeedles, ...nameNeedles]) ?? "(?!)",
      addresses,
    });
    await deleteContact(tx, { tenantId: ctx.tenantId, id });
    const erasedAt = new Date();
    const result: ErasureResult = { contact_id: id, external_id: contact.externalId, messages_redacted: redacted.messages, erased_at: erasedAt.toISOString() };
    await recordAudit(tx, ctx, { action: "contact.erased", targetType: "contact", targetId: id, details: { external_id: contact.externalId, messages_redacted: redacted.messages } });
    await emitEvent("herald/contact.erased", { tenantId: ctx.tenantId, contactId: id, externalId: contact.externalId }, { db: tx, tenantId: ctx.tenantId, id });
    await enqueueWebhookDeliveries(tx, {
      tenantId: ctx.tenantId,
      eventType: "contact.erased.v1",
      eventId: id,
      payload: webhookBody({ eventType: "contact.erased.v1", occurredAt: erasedAt, data: { contact_id: id, external_id: contact.externalId } }),
    });
    return result;
  });
}
