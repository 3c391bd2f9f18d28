// Netgsm delivery status through the report poll, against the simulator's Netgsm module over real
// HTTP and a real Postgres: messages are sent by the delivery workflow, then the poll asks for them.
import { and, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { messages, messageStatusHistory, webhookEvents, type Message } from "@/db/schema";
import { startSimulator, type Simulator } from "@/e2e/simulator/server";
import { workflows } from "@/inngest/workflows";
import { startJobEngine, stopJobEngine } from "@/lib/jobs/job-engine";
import { transitionConfig } from "@/lib/providers/config-lifecycle";
import { makeSimConfig, queueMessages } from "@/lib/test/delivery";
import { makeContext, waitFor } from "@/lib/test/factories";
import type { TenantContext } from "@/lib/tenancy/context";
import { netgsmStatusMeaning, pollNetgsmReports, reportEvents } from "./poll-reports";

process.env.HERALD_DELIVERY_HOP_ATTEMPTS = "1";
process.env.HERALD_DELIVERY_BACKOFF_MS = "20";

let sim: Simulator;
beforeAll(async () => {
  // Jobs start pending (status 0); each test says what Netgsm reports for them.
  sim = await startSimulator({ seed: 13, autoDelivery: false });
  // Only the test polls: the once-a-minute run would ask in between.
  await startJobEngine({ workflows: workflows.filter((w) => w.id !== "poll-delivery-reports"), runWorkers: true });
});
// Decommissioned at the end: other processes' once-a-minute poll then leaves them (and this closed simulator) alone.
const created: { ctx: TenantContext; configId: string }[] = [];
afterAll(async () => {
  for (const c of created) await transitionConfig(c.ctx, c.configId, "decommissioned");
  await stopJobEngine();
  await sim.close();
  await closeDb();
});

/** Sends one SMS per number through a fresh Netgsm config and waits until each is `sent`. */
async function sendThroughNetgsm(ctx: TenantContext, numbers: string[]) {
  const netgsm = await makeSimConfig(ctx, sim, "netgsm");
  created.push({ ctx, configId: netgsm.config.id });
  const ids = await queueMessages(
    ctx,
    numbers.map((to) => ({ channel: "sms" as const, recipient: to, payload: { to, body: "Merhaba" }, route: [netgsm.config] })),
  );
  // Other test processes run the once-a-minute poll over the shared database: held as if claimed,
  // these messages are this test's to poll (dueForPoll hands them over).
  await getDb().execute(sql`update messages set report_poll_at = now() + interval '1 hour' where id in ${ids}`);
  const sent = await waitFor(async () => {
    const rows = await messagesOf(ctx, ids);
    return rows.every((m) => m.status === "sent") ? rows : undefined;
  }, 30_000, 50);
  return { ...netgsm, sent };
}

async function dueForPoll(sent: Message[]) {
  await getDb().execute(sql`update messages set report_poll_at = null where id in ${sent.map((m) => m.id)}`);
}

async function messagesOf(ctx: TenantContext, ids: string[]): Promise<Message[]> {
  const rows = await getDb().select().from(messages).where(and(eq(messages.tenantId, ctx.tenantId), inArray(messages.id, ids)));
  return ids.map((id) => rows.find((m) => m.id === id)!);
}

const reportRequests = (accountId: string) => sim.listRequests({ accountId }).filter((r) => r.path === "/sms/rest/v2/report");

describe("netgsm report poll", () => {
  it("moves a delivered job to delivered, an invalid number to failed (invalid recipient), an expired one to undelivered, and leaves a pending one sent", async () => {
    const ctx = await makeContext("admin");
    const { config, account, sent } = await sendThroughNetgsm(ctx, ["+905321300001", "+905321300002", "+905321300003", "+905321300004"]);
    const [delivered, invalid, pending, expired] = sent as [Message, Message, Message, Message];
    await sim.triggerEvent({ messageId: delivered.providerMessageId!, event: "delivered" });
    await sim.triggerEvent({ messageId: invalid.providerMessageId!, event: "failed", errorCode: 3 });
    await sim.triggerEvent({ messageId: expired.providerMessageId!, event: "undelivered", errorCode: 2 });

    await dueForPoll(sent);
    const summary = await pollNetgsmReports({ configIds: [config.id] });
    expect(summary).toMatchObject({ configs: 1, queries: 1, jobs: 4, recorded: 3, pending: 1, rateLimited: 0, failed: 0 });

    const [query] = reportRequests(account.id);
    expect(query).toMatchObject({ method: "POST", status: 200 });
    const body = query!.body as Record<string, unknown>;
    expect([...(body.jobids as string[])].sort()).toEqual(sent.map((m) => m.providerMessageId).sort());
    expect(body).toMatchObject({ pagenumber: 0, pagesize: 4 });
    expect(body.startdate).toMatch(/^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}:\d{2}$/);

    const after = await messagesOf(ctx, sent.map((m) => m.id));
    expect(after[0]).toMatchObject({ status: "delivered" });
    expect(after[0]!.deliveredAt).not.toBeNull();
    expect(after[1]).toMatchObject({ status: "failed", errorCode: "invalid_recipient" });
    expect(after[1]!.errorMessage).toContain("invalid recipient");
    expect(after[2]).toMatchObject({ id: pending.id, status: "sent", deliveredAt: null });
    expect(after[3]).toMatchObject({ status: "undelivered", errorCode: "netgsm_2" });

    const history = await getDb().select().from(messageStatusHistory).where(inArray(messageStatusHistory.messageId, [delivered.id, invalid.id]));
    expect(history.filter((h) => h.fromStatus === "sent").map((h) => [h.messageId, h.toStatus, h.reason]).sort()).toEqual(
      [
        [delivered.id, "delivered", "netgsm 1 delivered"],
        [invalid.id, "failed", "netgsm 3 invalid number"],
      ].sort(),
    );
    const events = await getDb().select().from(webhookEvents).where(eq(webhookEvents.tenantId, ctx.tenantId));
    expect(events.map((e) => [e.eventKey, e.verification, e.status]).sort()).toEqual(
      [
        [`${delivered.providerMessageId}:1`, "polled", "processed"],
        [`${invalid.providerMessageId}:3`, "polled", "processed"],
        [`${expired.providerMessageId}:2`, "polled", "processed"],
      ].sort(),
    );
  });

  it("a repeated poll applies nothing twice", async () => {
    const ctx = await makeContext("admin");
    const { config, account, sent } = await sendThroughNetgsm(ctx, ["+905321300011", "+905321300012"]);
    const [delivered, pending] = sent as [Message, Message];
    await sim.triggerEvent({ messageId: delivered.providerMessageId!, event: "delivered" });
    await dueForPoll(sent);
    expect(await pollNetgsmReports({ configIds: [config.id] })).toMatchObject({ queries: 1, recorded: 1, pending: 1 });
    const history = async () => (await getDb().select().from(messageStatusHistory).where(inArray(messageStatusHistory.messageId, [delivered.id, pending.id]))).length;
    const before = { history: await history(), events: await getDb().select().from(webhookEvents).where(eq(webhookEvents.tenantId, ctx.tenantId)) };

    // At once again: the delivered one is no longer waiting, the pending one is still claimed.
    expect(await pollNetgsmReports({ configIds: [config.id] })).toMatchObject({ queries: 0, recorded: 0 });
    expect(reportRequests(account.id)).toHaveLength(1);

    // Netgsm answers the same status for a job Herald asks about again (e.g. after a crash between
    // recording and applying): the event key makes it a duplicate, and the message is not moved again.
    await getDb().execute(sql`update messages set status = 'sent', delivered_at = null, report_poll_at = null where id = ${delivered.id}`);
    expect(await pollNetgsmReports({ configIds: [config.id] })).toMatchObject({ queries: 1, jobs: 1, recorded: 0 });
    const [again] = await messagesOf(ctx, [delivered.id]);
    expect(again).toMatchObject({ status: "sent", deliveredAt: null });
    expect(await history()).toBe(before.history);
    const events = await getDb().select().from(webhookEvents).where(eq(webhookEvents.tenantId, ctx.tenantId));
    expect(events.map((e) => e.id)).toEqual(before.events.map((e) => e.id));
    expect(events[0]).toMatchObject({ eventKey: `${delivered.providerMessageId}:1`, duplicateCount: 1 });
  });

  it("batches job ids and never asks more than 10 times a minute per account", async () => {
    const ctx = await makeContext("admin");
    // Enough that asking for all of them at once would take 12 queries (Netgsm's answer to the 11th: code 80).
    const numbers = Array.from({ length: 24 }, (_, i) => `+9053213001${String(20 + i)}`);
    const { config, account, sent } = await sendThroughNetgsm(ctx, numbers);
    for (const m of sent) await sim.triggerEvent({ messageId: m.providerMessageId!, event: "delivered" });

    // 24 jobs at 2 a query need 12 queries; the bucket grants 5 now and one per 12 s after.
    await dueForPoll(sent);
    const first = await pollNetgsmReports({ configIds: [config.id], jobsPerQuery: 2 });
    expect(first).toMatchObject({ queries: 5, jobs: 10, recorded: 10, rateLimited: 0 });
    for (let i = 0; i < 5; i++) await pollNetgsmReports({ configIds: [config.id], jobsPerQuery: 2 });

    const queries = reportRequests(account.id);
    expect(queries.length).toBeGreaterThanOrEqual(5);
    expect(queries.length).toBeLessThanOrEqual(10);
    // Netgsm never had to refuse one (code 80), and each asked for at most two job ids.
    expect(queries.every((q) => q.status === 200)).toBe(true);
    expect(queries.every((q) => (q.body as { jobids: string[] }).jobids.length <= 2)).toBe(true);
    const asked = queries.flatMap((q) => (q.body as { jobids: string[] }).jobids);
    expect(new Set(asked).size).toBe(asked.length);

    // What was not asked for yet is not held: released claims are due again at once, still sent.
    const after = await messagesOf(ctx, sent.map((m) => m.id));
    const delivered = after.filter((m) => m.status === "delivered");
    expect(delivered).toHaveLength(asked.length);
    expect(after.filter((m) => m.status === "sent").every((m) => m.reportPollAt === null)).toBe(true);
  }, 60_000);

  it("backs off on code 80: the account's bucket is emptied and the claims are given back", async () => {
    const ctx = await makeContext("admin");
    const { config, account, sent } = await sendThroughNetgsm(ctx, ["+905321300041", "+905321300042"]);
    sim.addFailureRule({ accountId: account.id, mode: "rate_limit", count: 1 });
    await dueForPoll(sent);
    const refused = await pollNetgsmReports({ configIds: [config.id], jobsPerQuery: 1 });
    expect(refused).toMatchObject({ queries: 1, rateLimited: 1, recorded: 0 });
    expect(reportRequests(account.id).map((r) => [r.status, (r.body as { jobids: string[] }).jobids.length])).toEqual([[406, 1]]);
    expect((await messagesOf(ctx, sent.map((m) => m.id))).map((m) => [m.status, m.reportPollAt])).toEqual([
      ["sent", null],
      ["sent", null],
    ]);

    // The next run within the minute asks nothing: the bucket waits for its refill.
    expect(await pollNetgsmReports({ configIds: [config.id], jobsPerQuery: 1 })).toMatchObject({ queries: 0 });
    expect(reportRequests(account.id)).toHaveLength(1);
  });
});

describe("netgsm report poll refusals", () => {
  it("stops at a refused query (system error): the unasked batch is handed back, the asked one waits for its claim to lapse", async () => {
    const ctx = await makeContext("admin");
    const { config, account, sent } = await sendThroughNetgsm(ctx, ["+905321300051", "+905321300052"]);
    sim.addFailureRule({ accountId: account.id, mode: "server_error", status: 500, count: 1 });
    await dueForPoll(sent);
    expect(await pollNetgsmReports({ configIds: [config.id], jobsPerQuery: 1 })).toMatchObject({ queries: 1, failed: 1, recorded: 0 });
    const [asked] = reportRequests(account.id).map((r) => (r.body as { jobids: string[] }).jobids);
    expect(reportRequests(account.id).map((r) => r.status)).toEqual([500]);
    const after = await messagesOf(ctx, sent.map((m) => m.id));
    expect(after.map((m) => m.status)).toEqual(["sent", "sent"]);
    expect(after.find((m) => m.providerMessageId === asked![0])!.reportPollAt).not.toBeNull();
    expect(after.find((m) => m.providerMessageId !== asked![0])!.reportPollAt).toBeNull();
  });
});

describe("netgsm report answers", () => {
  it.each([
    // [Netgsm status, Herald event, message status it leads to, error code]
    [0, undefined, "sent", undefined],
    [1, "delivered", "delivered", undefined],
    [2, "failed", "undelivered", "netgsm_2"],
    [3, "failed", "failed", "invalid_recipient"],
    [4, "failed", "failed", "netgsm_4"],
    [11, "failed", "failed", "netgsm_11"],
    [17, "failed", "failed", "netgsm_17"],
    [99, undefined, "sent", undefined],
  ] as const)("status %s → %s", (status, type, messageStatus, errorCode) => {
    const m = netgsmStatusMeaning(status);
    expect(m?.type).toBe(type);
    expect(m?.errorCode).toBe(errorCode);
    // applyEvent ends a failure `undelivered` only for that provider event word.
    if (m?.type === "failed") expect(m.providerEvent === "undelivered" ? "undelivered" : "failed").toBe(messageStatus);
  });

  it("reads Netgsm's Turkish-time delivery date, keys each job and status once, and ignores job ids not asked for", () => {
    const now = new Date("2026-12-07T12:00:00Z");
    const body = {
      code: "00",
      jobs: [
        { jobid: "1001", telno: "5321234567", status: 1, deliveredDate: "07.12.2026 14:30:12" },
        { jobid: "1002", telno: "5321234568", status: "3" },
        { jobid: "1003", telno: "5321234569", status: 0 },
        { jobid: "9999", telno: "5321234560", status: 1 },
      ],
    };
    const events = reportEvents(body, new Set(["1001", "1002", "1003"]), now);
    expect(events.map((e) => [e.eventKey, e.type, e.recipient, e.occurredAt.toISOString(), e.errorCode])).toEqual([
      ["1001:1", "delivered", "+905321234567", "2026-12-07T11:30:12.000Z", undefined],
      ["1002:3", "failed", "+905321234568", now.toISOString(), "invalid_recipient"],
    ]);
    expect(reportEvents({ code: "60" }, new Set(["1001"]), now)).toEqual([]);
  });
});
