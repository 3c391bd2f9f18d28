// Sends by contact, provider webhooks into subscription state, and GDPR erasure, end to end:
// real adapters against the simulator, real webhook route over HTTP, and a grep of every table.
import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { auditLog, media, messages, outboxEvents, webhookDeliveries } from "@/db/schema";
import { DELETE as eraseRoute } from "@/app/api/v1/contacts/[id]/route";
import { POST as createRoute } from "@/app/api/v1/contacts/route";
import { POST as sendBatch } from "@/app/api/v1/messages/batch/route";
import { GET as listMessagesRoute, POST as sendPost } from "@/app/api/v1/messages/route";
import { startSimulator, type Simulator } from "@/e2e/simulator";
import { createApiKey } from "@/lib/auth/api-keys";
import { runDeliveryAttempt } from "@/lib/messaging/delivery";
import { createEndpoint } from "@/lib/outbound-webhooks/endpoints";
import { makeContext, waitFor } from "@/lib/test/factories";
import { params, request } from "@/lib/test/http";
import { startWebhookReceiver } from "@/lib/test/webhook-receiver";
import { makeConfig } from "@/lib/test/provider-configs";
import { drainWebhookEvents } from "@/lib/webhooks/process";
import { startWebhookBridge } from "@/lib/test/webhook-bridge";
import { getContactSubscriptions } from "./subscriptions";

let sim: Simulator;
let bridge: Awaited<ReturnType<typeof startWebhookBridge>>;
const previous = { url: process.env.HERALD_PUBLIC_URL, loopback: process.env.HERALD_ALLOW_LOOPBACK_WEBHOOKS };

beforeAll(async () => {
  sim = await startSimulator({ port: 0, webhookDelayMs: 5, seed: 7 });
  bridge = await startWebhookBridge();
  process.env.HERALD_PUBLIC_URL = bridge.url;
  process.env.HERALD_ALLOW_LOOPBACK_WEBHOOKS = "true";
});
afterAll(async () => {
  process.env.HERALD_PUBLIC_URL = previous.url;
  process.env.HERALD_ALLOW_LOOPBACK_WEBHOOKS = previous.loopback;
  await sim?.close();
  await bridge?.close();
  await closeDb();
});

async function post(handler: typeof sendPost, path: string, key: string, body: unknown) {
  const res = await handler(request(path, { method: "POST", key, body }), params({}));
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

/** Every row of every table (all schemas) whose text contains `needle`, as "schema.table". */
async function tablesContaining(needle: string): Promise<string[]> {
  const sql = getDb().$client;
  const tables = await sql<{ schema: string; table: string }[]>`
    select table_schema as schema, table_name as table from information_schema.tables
    where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`;
  const hits: string[] = [];
  for (const t of tables) {
    const [row] = await sql.unsafe(`select count(*)::int as n from "${t.schema}"."${t.table}" x where x::text ilike $1`, [`%${needle}%`]);
    if (row!.n > 0) hits.push(`${t.schema}.${t.table}`);
  }
  return hits;
}

describe("sends by contact, webhook unsubscribes and erasure", () => {
  it("sends by contact, turns a hard bounce into an unsubscribe, then erases every trace of the contact", async () => {
    const ctx = await makeContext("owner");
    const { key } = await createApiKey(ctx, { name: "all", scopes: ["messages:send", "messages:read", "contacts:read", "contacts:write"] });
    const account = sim.createAccount({ provider: "mailgun" });
    const mail = await makeConfig(ctx, "mailgun", {
      overrides: { api_base_url: sim.url, domain: account.domain, credentials: { api_key_ref: account.apiKey, webhook_signing_key_ref: account.webhookSigningKey } },
    });
    sim.updateAccount(account.id, { webhookUrl: `${bridge.url}/api/webhooks/mailgun/${mail.id}` });
    await makeConfig(ctx, "twilio");
    const receiver = await startWebhookReceiver();
    try {
      await createEndpoint(ctx, { url: `${receiver.url}/hook`, description: "mirror", event_types: ["message.bounced.v1", "contact.erased.v1"] });

      const tag = randomBytes(4).toString("hex");
      const name = `Ingrid Eraso${tag}`;
      const email = `ingrid.${tag}@example.test`;
      const digits = String(parseInt(tag, 16) % 10_000_000).padStart(7, "0");
      const phone = `+4670${digits}`;
      const created = await post(createRoute, "/api/v1/contacts", key, { external_id: `ext-${tag}`, name, email, phone, attributes: { team: "u12" } });
      expect(created.status, JSON.stringify(created.json)).toBe(201);
      const contactId = created.json.id as string;

      // By id and by external id; Herald picks the address for the channel and links the message.
      const byId = await post(sendPost, "/api/v1/messages", key, { channel: "email", contact_id: contactId, subject: `Hello ${name}`, body_text: `Dear ${name}` });
      expect(byId.status, JSON.stringify(byId.json)).toBe(202);
      const bySms = await post(sendPost, "/api/v1/messages", key, { channel: "sms", external_id: `ext-${tag}`, body: `Hi ${name}` });
      expect(bySms.status, JSON.stringify(bySms.json)).toBe(202);
      const rows = await getDb().select().from(messages).where(eq(messages.contactId, contactId));
      expect(rows.map((r) => r.recipient).sort()).toEqual([email, phone].sort());
      const history = await listMessagesRoute(request(`/api/v1/messages?contact_id=${contactId}`, { key }), params({}));
      expect(((await history.json()) as { data: unknown[] }).data).toHaveLength(2);

      // Address and contact together, an unknown contact: clear per-item errors.
      const batch = await post(sendBatch, "/api/v1/messages/batch", key, {
        messages: [
          { channel: "email", contact_id: contactId, to: [{ email }], subject: "x", body_text: "x" },
          { channel: "email", contact_id: "00000000-0000-4000-8000-000000000000", subject: "x", body_text: "x" },
          { channel: "push", contact_id: contactId, title: "x" },
        ],
      });
      expect(batch.json.results.map((r: { status: number; error?: { code: string } }) => [r.status, r.error?.code])).toEqual([
        [422, "validation_failed"],
        [404, "not_found"],
        [422, "COMM_NO_ADDRESS"],
      ]);

      // Deliver, bounce hard: the webhook suppresses the address and unsubscribes the contact.
      const r = await runDeliveryAttempt({ tenantId: ctx.tenantId, messageId: byId.json.id, cursor: { hop: 0, tryInHop: 0 } });
      expect(r).toMatchObject({ kind: "done", status: "sent" });
      await sim.flush();
      await sim.triggerEvent({ messageId: sim.listMessages({ accountId: account.id })[0]!.id, event: "bounce", bounceType: "hard" });
      await waitFor(async () => {
        await drainWebhookEvents(ctx.tenantId);
        const subs = await getContactSubscriptions({ tenantId: ctx.tenantId, contactId });
        return subs.find((s) => s.channel === "email" && s.status === "unsubscribed");
      });
      expect(await getContactSubscriptions({ tenantId: ctx.tenantId, contactId })).toEqual([expect.objectContaining({ channel: "email", topic: null, status: "unsubscribed", source: "hard_bounce" })]);
      const refused = await post(sendPost, "/api/v1/messages", key, { channel: "email", contact_id: contactId, subject: "Again", body_text: "Again" });
      expect(refused).toMatchObject({ status: 422, json: { error: { code: "COMM_UNSUBSCRIBED" } } });
      expect(refused.json.error.message).toMatch(/unsubscribed from email messages \(hard_bounce/);
      expect(await getDb().select().from(webhookDeliveries).where(eq(webhookDeliveries.tenantId, ctx.tenantId))).toHaveLength(1);
      expect(await tablesContaining(email)).not.toEqual([]);

      // A file that came with one of the contact's messages (an inbound photo, say), named after them.
      const mediaId = crypto.randomUUID();
      await getDb().insert(media).values({
        id: mediaId,
        tenantId: ctx.tenantId,
        status: "ready",
        source: "inbound",
        backend: "filesystem",
        storageKey: `t/${ctx.tenantId}/${mediaId}`,
        filename: `${name}.jpg`,
        messageId: bySms.json.id,
        createdByType: "system",
        createdByLabel: "inbound message",
      });

      // Erase.
      const erased = await eraseRoute(request(`/api/v1/contacts/${contactId}`, { method: "DELETE", key }), params({ id: contactId }));
      expect(erased.status).toBe(200);
      expect(await erased.json()).toMatchObject({ contact_id: contactId, external_id: `ext-${tag}`, messages_redacted: 2 });

      for (const needle of [email, phone, phone.slice(1), name]) expect(await tablesContaining(needle), needle).toEqual([]);
      // The file is gone from reads; the retention purge deletes its object and row.
      const [file] = await getDb().select().from(media).where(eq(media.id, mediaId));
      expect(file).toMatchObject({ filename: null, deletedAt: expect.any(Date) });
      // Message rows keep ids and statuses.
      const [kept] = await getDb().select().from(messages).where(eq(messages.id, byId.json.id));
      expect(kept).toMatchObject({ status: "bounced", recipient: "[erased]", contactId: null });
      const [audit] = await getDb().select().from(auditLog).where(and(eq(auditLog.tenantId, ctx.tenantId), eq(auditLog.action, "contact.erased")));
      expect(audit).toMatchObject({ targetId: contactId, details: { external_id: `ext-${tag}`, messages_redacted: 2 } });
      const [event] = await getDb().select().from(outboxEvents).where(and(eq(outboxEvents.tenantId, ctx.tenantId), eq(outboxEvents.name, "herald/contact.erased")));
      expect(event!.payload).toEqual({ tenantId: ctx.tenantId, contactId, externalId: `ext-${tag}` });
      const deliveries = await getDb().select().from(webhookDeliveries).where(and(eq(webhookDeliveries.tenantId, ctx.tenantId), eq(webhookDeliveries.eventType, "contact.erased.v1")));
      expect(deliveries[0]!.payload).toMatchObject({ type: "contact.erased.v1", data: { contact_id: contactId } });
      // The suppression still guards the address, by hash.
      const again = await post(sendPost, "/api/v1/messages", key, { channel: "email", to: [{ email }], subject: "x", body_text: "x" });
      expect(again).toMatchObject({ status: 422, json: { error: { code: "COMM_SUPPRESSED" } } });
    } finally {
      await receiver.close();
    }
  });
});
