import { and, asc, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { communicationEvents, messageAttempts, messages, messageStatusHistory, usageDeltas, webhookDeliveries } from "@/db/schema";
import { createEndpoint } from "@/lib/outbound-webhooks/endpoints";
import { enqueueCommunicationEventWebhooks } from "@/lib/outbound-webhooks/enqueue";
import { makeContext } from "@/lib/test/factories";
import { queueMessage } from "@/lib/test/delivery";
import { makeConfig } from "@/lib/test/provider-configs";
import type { TenantContext } from "@/lib/tenancy/context";
import { finishMessage, type TerminalInput } from "./message-delivery";

afterAll(closeDb);
// The endpoint below is never called; it only has to be accepted.
process.env.HERALD_ALLOW_LOOPBACK_WEBHOOKS = "true";

// The one-statement terminal transition must write exactly what the transaction writes; these
// compare the two paths row by row, and check the cases where it must step aside.

async function setup() {
  const ctx = await makeContext("admin");
  const config = await makeConfig(ctx, "sendgrid");
  return { ctx, config };
}

function sentInput(ctx: TenantContext, config: { id: string }, messageId: string, at: Date): TerminalInput {
  return {
    tenantId: ctx.tenantId,
    messageId,
    fromStatus: "queued",
    toStatus: "sent",
    reason: "sendgrid accepted (abc)",
    attempt: {
      messageId,
      tenantId: ctx.tenantId,
      provider: "sendgrid",
      configId: config.id,
      outcome: "sent",
      requestSummary: { channel: "email", to: "a@example.com", subject: "Hi" },
      responseCode: 200,
      errorCode: null,
      errorMessage: null,
      retryable: null,
      providerReference: `hm_${messageId}`,
      latencyMs: 12,
      startedAt: new Date(at.getTime() - 12),
      finishedAt: at,
    },
    countsAsCall: true,
    message: { provider: "sendgrid", configId: config.id, providerMessageId: `sg-${messageId}`, segments: 1, costAmount: "0.0010", costCurrency: "USD" },
    at,
    event: (attemptCount) => ({
      name: "communication.sent.v1",
      exchange: "x",
      routingKey: "communication.sent.v1",
      payload: { event: "communication.sent.v1", data: { message_id: messageId, attempt: attemptCount } },
    }),
    usage: { tenantId: ctx.tenantId, configId: config.id, provider: "sendgrid", channel: "email", at, sent: 1, segments: 1, cost: 0.001, costCurrency: "USD" },
    afterEvent: enqueueCommunicationEventWebhooks,
  };
}

async function rowsOf(tenantId: string, messageId: string) {
  const db = getDb();
  const [m] = await db.select().from(messages).where(and(eq(messages.tenantId, tenantId), eq(messages.id, messageId)));
  const attempts = await db.select().from(messageAttempts).where(eq(messageAttempts.messageId, messageId)).orderBy(asc(messageAttempts.attemptNo));
  const history = await db.select().from(messageStatusHistory).where(eq(messageStatusHistory.messageId, messageId)).orderBy(asc(messageStatusHistory.id));
  const events = await db.select().from(communicationEvents).where(eq(communicationEvents.messageId, messageId));
  return {
    message: { ...m!, id: "-", providerMessageId: m!.providerMessageId?.replace(messageId, "-"), providerReference: "-", traceId: "-", createdAt: null, updatedAt: null, payload: null, recipient: null },
    attempts: attempts.map((a) => ({ ...a, id: "-", messageId: "-", providerReference: "-" })),
    history: history.map((h) => ({ ...h, id: 0, messageId: "-", at: h.fromStatus === null ? null : h.at })),
    events: events.map((e) => ({ ...e, id: "-", messageId: "-", createdAt: null, nextAttemptAt: null, payload: { ...e.payload, data: { ...(e.payload.data as object), message_id: "-" } } })),
  };
}

async function queued(ctx: TenantContext, config: { id: string }) {
  return queueMessage(ctx, { channel: "email", route: [{ id: config.id, provider: "sendgrid" }], recipient: "a@example.com", payload: { subject: "Hi", body_text: "x" } });
}

describe("finishMessage in one statement", () => {
  it("writes the same message, attempt, history, event and usage as the transaction", async () => {
    const { ctx, config } = await setup();
    const at = new Date("2026-12-07T10:15:00.123Z");
    const a = await queued(ctx, config);
    const b = await queued(ctx, config);
    const fast = await finishMessage(getDb(), { ...sentInput(ctx, config, a.id, at), expectedAttemptCount: 0 });
    const slow = await finishMessage(getDb(), sentInput(ctx, config, b.id, at));
    expect(fast?.attemptCount).toBe(1);
    expect(slow?.attemptCount).toBe(1);
    expect(fast?.event?.id).toBeTruthy();
    const [ra, rb] = [await rowsOf(ctx.tenantId, a.id), await rowsOf(ctx.tenantId, b.id)];
    expect(ra).toEqual(rb);
    expect(ra.message.status).toBe("sent");
    expect(ra.history.map((h) => `${h.fromStatus}→${h.toStatus}`)).toEqual(["null→queued", "queued→sending", "sending→sent"]);
    expect(ra.events[0]!.payload.data).toMatchObject({ attempt: 1 });
    const usage = await getDb().select().from(usageDeltas).where(eq(usageDeltas.tenantId, ctx.tenantId));
    expect(usage).toHaveLength(2);
    const strip = (u: (typeof usage)[number]) => ({ ...u, id: 0, createdAt: null });
    expect(strip(usage[0]!)).toEqual(strip(usage[1]!));
    expect(usage[0]).toMatchObject({ configId: config.id, provider: "sendgrid", sent: 1, segments: 1, hour: new Date("2026-12-07T10:00:00Z") });

    // A repeat (a re-run after a crash) changes nothing on either path.
    expect(await finishMessage(getDb(), { ...sentInput(ctx, config, a.id, at), expectedAttemptCount: 1 })).toBeUndefined();
    expect(await finishMessage(getDb(), { ...sentInput(ctx, config, a.id, at), expectedAttemptCount: 0 })).toBeUndefined();
    expect((await rowsOf(ctx.tenantId, a.id)).attempts).toHaveLength(1);
  });

  it("steps aside for the transaction when an endpoint takes the event, so its webhook delivery is written with it", async () => {
    const { ctx, config } = await setup();
    await createEndpoint(ctx, { url: "http://127.0.0.1:9/herald", description: "", event_types: ["communication.sent.v1"] });
    const m = await queued(ctx, config);
    const done = await finishMessage(getDb(), { ...sentInput(ctx, config, m.id, new Date()), expectedAttemptCount: 0 });
    expect(done?.event?.id).toBeTruthy();
    const deliveries = await getDb().select().from(webhookDeliveries).where(eq(webhookDeliveries.tenantId, ctx.tenantId));
    expect(deliveries.map((d) => d.eventType)).toEqual(["communication.sent.v1"]);
  });

  it("steps aside when the attempt count moved on, and the envelope then carries the real count", async () => {
    const { ctx, config } = await setup();
    const m = await queued(ctx, config);
    await getDb().update(messages).set({ attemptCount: 2, status: "sending" }).where(eq(messages.id, m.id));
    const done = await finishMessage(getDb(), { ...sentInput(ctx, config, m.id, new Date()), fromStatus: "sending", expectedAttemptCount: 0 });
    expect(done?.attemptCount).toBe(3);
    const rows = await rowsOf(ctx.tenantId, m.id);
    expect(rows.events[0]!.payload.data).toMatchObject({ attempt: 3 });
    expect(rows.message.attemptCount).toBe(3);
  });
});
