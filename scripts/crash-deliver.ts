// `npm run test:crash` (a step of `npm test`): SIGKILLs the real worker process (`scripts/worker.ts`,
// pg-boss) in the middle of delivering, CRASH_KILLS times, starting it again each time, and checks:
// every accepted message is terminal within two minutes of the last restart; no message failed
// that the simulator accepted (a message may fail only when every call it made was refused — the
// injected timeouts can legitimately use up a hop's attempts); re-run calls carried the same
// provider reference; an idempotent provider (OneSignal) created one notification per push;
// duplicate provider calls stay inside the at-least-once window (at most the calls in flight at a
// kill) and are printed; every message has exactly one communication.* event on RabbitMQ.
//
//   CRASH_MESSAGES (default 200)  CRASH_KILLS (default 2)  CRASH_SIM_PORT (default 4319)
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import amqp, { type ChannelModel } from "amqplib";
import { eq, sql } from "drizzle-orm";
import { closeDb, getDb } from "@/db";
import { communicationEvents, messageAttempts, messages } from "@/db/schema";
import { SimulatorClient } from "@/e2e/simulator/client";
import { DEFAULT_RABBITMQ_URL } from "@/lib/broker/rabbitmq";
import { onesignalIdempotencyKey } from "@/lib/providers/onesignal/send";
import { createTestDatabase } from "@/lib/server/test-database";
import { makeConfigForAccount, queueMessages, type QueueInput } from "@/lib/test/delivery";
import { systemContext } from "@/lib/tenancy/context";
import { createTenant } from "@/lib/tenants/create-tenant";


// The simulator listens on loopback: let provider base URLs name it (workers inherit the setting).
process.env.HERALD_PROVIDER_URL_ALLOW_HOSTS ??= "127.0.0.1,localhost";
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const N = Number(process.env.CRASH_MESSAGES ?? 200);
const KILLS = Number(process.env.CRASH_KILLS ?? 2);
const CONCURRENCY = 16;
const simPort = Number(process.env.CRASH_SIM_PORT ?? 4319);
const run = randomBytes(4).toString("hex");
process.env.HERALD_MASTER_KEY ??= randomBytes(32).toString("base64");
process.env.NEXTAUTH_SECRET ??= randomBytes(32).toString("base64");
process.env.HERALD_COMMUNICATION_EXCHANGE = `crash-communication-${run}`;
process.env.LOG_LEVEL ??= "warn";

const failures: string[] = [];
const check = (ok: boolean, what: string) => {
  console.log(`  ${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
};

function startWorker(): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts"], {
    cwd: root,
    env: { ...process.env, HERALD_DELIVERY_CONCURRENCY: String(CONCURRENCY) },
    stdio: ["ignore", "ignore", "inherit"],
  });
}

async function counts(tenantId: string) {
  const [row] = await getDb()
    .select({
      sent: sql<number>`count(*) filter (where ${messages.status} = 'sent')::int`,
      terminal: sql<number>`count(*) filter (where ${messages.status} in ('sent','failed'))::int`,
      sending: sql<number>`count(*) filter (where ${messages.status} = 'sending')::int`,
    })
    .from(messages)
    .where(eq(messages.tenantId, tenantId));
  return row!;
}

async function main() {
  const sim = spawn(process.execPath, ["--import", "tsx", "e2e/simulator/cli.ts", "--port", String(simPort), "--no-auto-delivery", "--max-records", "1000000"], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const simUrl = `http://127.0.0.1:${simPort}`;
  const client = new SimulatorClient(simUrl);
  const db = await createTestDatabase();
  let worker: ChildProcess | undefined;
  let broker: ChannelModel | undefined;
  const consumed: { messageId: string; correlationId: string }[] = [];
  try {
    process.env.DATABASE_URL = db.url;
    for (let i = 0; ; i++) {
      try {
        await client.health();
        break;
      } catch {
        if (i > 100) throw new Error("the simulator did not start");
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const tenant = await createTenant({ slug: `crash-${run}`, name: "Crash" });
    const ctx = systemContext(tenant, "crash");
    const sgAccount = await client.createAccount({ provider: "sendgrid" });
    const osAccount = await client.createAccount({ provider: "onesignal" });
    const sg = await makeConfigForAccount(ctx, sgAccount, simUrl);
    const os = await makeConfigForAccount(ctx, osAccount, simUrl);
    // Slow provider answers widen the window in which the kill lands mid-call.
    await client.addFailureRule({ mode: "timeout", holdMs: 150, rate: 0.05 });
    const inputs: QueueInput[] = Array.from({ length: N }, (_, i) =>
      i % 2 === 0
        ? { channel: "email", route: [sg], recipient: `c${i}@example.com`, payload: { to: [{ email: `c${i}@example.com` }], subject: `Crash ${i}`, body_text: "x" } }
        : { channel: "push", route: [os], recipient: `player-${i}`, payload: { target: { player_id: `player-${i}`, platform: "ios" }, title: `Crash ${i}` } },
    );
    // Listen on the run's exchange before anything is published.
    broker = await amqp.connect(process.env.RABBITMQ_URL ?? DEFAULT_RABBITMQ_URL);
    const ch = await broker.createChannel();
    await ch.assertExchange(process.env.HERALD_COMMUNICATION_EXCHANGE!, "topic", { durable: true });
    const q = await ch.assertQueue("", { exclusive: true });
    await ch.bindQueue(q.queue, process.env.HERALD_COMMUNICATION_EXCHANGE!, "communication.#");
    await ch.consume(q.queue, (m) => m && consumed.push({ messageId: String(m.properties.messageId), correlationId: String(m.properties.correlationId) }), { noAck: true });

    const ids = await queueMessages(ctx, inputs);
    console.log(`crash test: ${N} messages accepted; starting the worker (${KILLS} kill(s) to come)`);

    worker = startWorker();
    let restarted = Date.now();
    for (let k = 1; k <= KILLS; k++) {
      // Kill at 25 %, 50 % … of the messages terminal: mid-delivery every time.
      const killAt = Math.max(10, Math.floor((N * k) / (KILLS + 2)));
      for (;;) {
        const c = await counts(ctx.tenantId);
        if (c.terminal >= killAt) break;
        if (worker.exitCode !== null) throw new Error("the worker exited on its own");
        await new Promise((r) => setTimeout(r, 20));
      }
      const before = await counts(ctx.tenantId);
      worker.kill("SIGKILL");
      await new Promise((r) => worker!.once("exit", r));
      console.log(`  kill ${k}: SIGKILLed the worker with ${before.terminal}/${N} terminal (${before.sending} in 'sending')`);
      restarted = Date.now();
      worker = startWorker();
    }

    let after = await counts(ctx.tenantId);
    while (after.terminal < N && Date.now() - restarted < 120_000) {
      await new Promise((r) => setTimeout(r, 500));
      after = await counts(ctx.tenantId);
    }
    const tookS = (Date.now() - restarted) / 1000;
    check(after.terminal === N, `every accepted message reached a terminal state within 2 minutes of the last restart (${after.terminal}/${N} in ${tookS.toFixed(1)} s)`);

    const requests = await client.listRequests({ limit: 1_000_000 });
    const rows = await getDb().select().from(messages).where(eq(messages.tenantId, ctx.tenantId));
    const refOf = (m: (typeof rows)[number]) => (m.channel === "push" ? onesignalIdempotencyKey(m.providerReference) : m.providerReference);
    const byRef = new Map<string, typeof requests>();
    for (const r of requests) if (r.idempotencyRef) byRef.set(r.idempotencyRef, [...(byRef.get(r.idempotencyRef) ?? []), r]);
    const accepted = (m: (typeof rows)[number]) => (byRef.get(refOf(m)!) ?? []).filter((r) => r.status !== null && r.status >= 200 && r.status < 300).length;

    // A failed message is fine only when the simulator refused every call it made.
    const failed = rows.filter((m) => m.status === "failed");
    const failedButAccepted = failed.filter((m) => accepted(m) > 0);
    console.log(`  ${after.sent} sent, ${failed.length} failed after every call was refused by the injected faults (the retry policy's answer: ${failed.length - failedButAccepted.length})`);
    for (const m of failed) {
      const calls = (byRef.get(refOf(m)!) ?? []).map((r) => r.status ?? "dropped").join(", ");
      console.log(`    failed: ${m.id} ${m.errorCode ?? ""} ${m.errorMessage ?? ""} (attempts ${m.attemptCount}; simulator answers: ${calls || "none"})`);
    }
    check(failedButAccepted.length === 0, `no message failed that the simulator accepted (${failedButAccepted.length})`);
    check(after.sent + failed.length === N, `every message is sent or failed (${after.sent} + ${failed.length})`);

    // Re-run attempts carried the same provider reference.
    const knownRefs = new Set(rows.map(refOf));
    check(requests.every((r) => r.idempotencyRef && knownRefs.has(r.idempotencyRef)), `every provider request carried its message's provider reference (${requests.length} requests)`);
    const repeated = rows.filter((m) => (byRef.get(refOf(m)!)?.length ?? 0) > 1);
    console.log(`  ${repeated.length} message(s) were called more than once (re-runs after a kill, or injected timeouts), each with the same reference`);

    const sentPushes = rows.filter((m) => m.channel === "push" && m.status === "sent").length;
    const osMessages = await client.listMessages({ accountId: osAccount.id, limit: 1_000_000 });
    check(osMessages.length === sentPushes, `OneSignal (dedupes on the reference) created exactly one notification per sent push (${osMessages.length}/${sentPushes})`);
    // SendGrid has no server-side dedupe: a call accepted just before a kill is made again by the re-run.
    const doubled = rows.filter((m) => m.channel === "email" && accepted(m) > 1);
    const window = KILLS * CONCURRENCY;
    console.log(`  duplicate provider calls: ${doubled.length} email(s) accepted twice by SendGrid (at-least-once window: at most ${window}, the calls in flight at ${KILLS} kill(s))`);
    check(doubled.length <= window, `duplicate provider calls within the at-least-once window (${doubled.length} ≤ ${window})`);

    const events = await getDb().select({ messageId: communicationEvents.messageId }).from(communicationEvents).where(eq(communicationEvents.tenantId, ctx.tenantId));
    check(events.length === N && new Set(events.map((e) => e.messageId)).size === N, `exactly one communication event row per message (${events.length})`);
    const sentAttempts = await getDb()
      .select({ n: sql<number>`count(*)::int` })
      .from(messageAttempts)
      .where(sql`${messageAttempts.tenantId} = ${ctx.tenantId} and ${messageAttempts.outcome} = 'sent'`);
    check(sentAttempts[0]!.n === after.sent, `exactly one 'sent' attempt per sent message (${sentAttempts[0]!.n})`);

    // On RabbitMQ: every message's event arrives; consumers dedupe on the AMQP messageId.
    const deadline = Date.now() + 30_000;
    while (new Set(consumed.map((c) => c.correlationId)).size < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 1000));
    const perMessage = new Map<string, Set<string>>();
    for (const c of consumed) perMessage.set(c.correlationId, (perMessage.get(c.correlationId) ?? new Set()).add(c.messageId));
    const exactlyOne = rows.every((m) => perMessage.get(m.id)?.size === 1);
    const distinct = [...perMessage.values()].reduce((n, s) => n + s.size, 0);
    console.log(`  RabbitMQ: ${consumed.length} raw deliveries, ${distinct} distinct event ids for ${perMessage.size} messages (${consumed.length - distinct} redelivered, deduped on messageId)`);
    check(exactlyOne && perMessage.size === N, `exactly one communication.* event per message on RabbitMQ (${perMessage.size}/${N})`);
    check(new Set(ids).size === N, "ids unique");
  } finally {
    worker?.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 500));
    worker?.kill("SIGKILL");
    if (broker) {
      await broker.createChannel().then((c) => c.deleteExchange(process.env.HERALD_COMMUNICATION_EXCHANGE!)).catch(() => {});
      await broker.close().catch(() => {});
    }
    await closeDb();
    await db.drop();
    sim.kill("SIGTERM");
  }
  if (failures.length > 0) {
    console.error(`crash test FAILED: ${failures.length} check(s)`);
    process.exit(1);
  }
  console.log("crash test passed");
}

await main();
process.exit(0);
