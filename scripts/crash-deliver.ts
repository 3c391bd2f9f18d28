// `npm run test:crash`: SIGKILLs the real worker process (`scripts/worker.ts`, pg-boss) in the middle
// of delivering, starts it again, and checks that every accepted message is delivered within two
// minutes of the restart, that re-run attempts carried the same provider reference, that an
// idempotent provider (OneSignal) created one notification per message, and that every message
// has exactly one communication event. Exits non-zero on any failure.
//
//   CRASH_MESSAGES (default 600)  CRASH_SIM_PORT (default 4319)
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { eq, sql } from "drizzle-orm";
import { closeDb, getDb } from "@/db";
import { communicationEvents, messageAttempts, messages } from "@/db/schema";
import { SimulatorClient } from "@/e2e/simulator/client";
import { onesignalIdempotencyKey } from "@/lib/providers/onesignal";
import { createTestDatabase } from "@/lib/server/test-database";
import { makeConfigForAccount, queueMessages, type QueueInput } from "@/lib/test/delivery";
import { systemContext } from "@/lib/tenancy/context";
import { createTenant } from "@/lib/tenants/create-tenant";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const N = Number(process.env.CRASH_MESSAGES ?? 600);
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
    env: { ...process.env, HERALD_DELIVERY_CONCURRENCY: "16" },
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
    const ids = await queueMessages(ctx, inputs);
    console.log(`crash test: ${N} messages accepted; starting the worker`);

    worker = startWorker();
    const killAt = Math.max(10, Math.floor(N * 0.25));
    for (;;) {
      const c = await counts(ctx.tenantId);
      if (c.terminal >= killAt) break;
      if (worker.exitCode !== null) throw new Error("the worker exited on its own");
      await new Promise((r) => setTimeout(r, 20));
    }
    const before = await counts(ctx.tenantId);
    worker.kill("SIGKILL");
    await new Promise((r) => worker!.once("exit", r));
    console.log(`  SIGKILLed the worker with ${before.terminal}/${N} terminal (${before.sending} in 'sending')`);

    const restarted = Date.now();
    worker = startWorker();
    let after = await counts(ctx.tenantId);
    while (after.terminal < N && Date.now() - restarted < 120_000) {
      await new Promise((r) => setTimeout(r, 500));
      after = await counts(ctx.tenantId);
    }
    const tookS = (Date.now() - restarted) / 1000;
    check(after.terminal === N, `every accepted message reached a terminal state within 2 minutes of the restart (${after.terminal}/${N} in ${tookS.toFixed(1)} s)`);
    check(after.sent === N, `all ${N} were sent (${after.sent})`);
    if (after.sent !== N) {
      // Say why, so a failure here is diagnosable from the CI log alone.
      const failed = await getDb()
        .select({ id: messages.id, code: messages.errorCode, error: messages.errorMessage, attempts: messages.attemptCount })
        .from(messages)
        .where(sql`${messages.tenantId} = ${ctx.tenantId} and ${messages.status} <> 'sent'`)
        .limit(5);
      for (const f of failed) console.log(`    not sent: ${f.id} ${f.code ?? ""} ${f.error ?? ""} (attempts ${f.attempts})`);
    }

    // Re-run attempts carried the same provider reference.
    const requests = await client.listRequests({ limit: 1_000_000 });
    const refs = new Map<string, number>();
    for (const r of requests) if (r.idempotencyRef) refs.set(r.idempotencyRef, (refs.get(r.idempotencyRef) ?? 0) + 1);
    const rows = await getDb().select().from(messages).where(eq(messages.tenantId, ctx.tenantId));
    const expectedRef = (m: (typeof rows)[number]) => (m.channel === "push" ? onesignalIdempotencyKey(m.providerReference) : m.providerReference);
    const everyRequestKnown = requests.every((r) => r.idempotencyRef && rows.some((m) => expectedRef(m) === r.idempotencyRef));
    check(everyRequestKnown, `every provider request carried its message's provider reference (${requests.length} requests)`);
    const repeated = rows.filter((m) => (refs.get(expectedRef(m)) ?? 0) > 1);
    console.log(`  ${repeated.length} message(s) were called more than once (re-runs after the kill or timeouts), each with the same reference`);

    const osMessages = await client.listMessages({ accountId: osAccount.id, limit: 1_000_000 });
    check(osMessages.length === N / 2, `OneSignal (dedupes on the reference) created exactly one notification per push (${osMessages.length}/${N / 2})`);
    const sgMessages = await client.listMessages({ accountId: sgAccount.id, limit: 1_000_000 });
    console.log(`  SendGrid (no server-side dedupe in the simulator) accepted ${sgMessages.length} for ${N / 2} emails: ${sgMessages.length - N / 2} duplicate(s) = the at-least-once window`);

    const events = await getDb().select({ messageId: communicationEvents.messageId }).from(communicationEvents).where(eq(communicationEvents.tenantId, ctx.tenantId));
    check(events.length === N && new Set(events.map((e) => e.messageId)).size === N, `exactly one communication event per message (${events.length})`);
    const sentAttempts = await getDb()
      .select({ n: sql<number>`count(*)::int` })
      .from(messageAttempts)
      .where(sql`${messageAttempts.tenantId} = ${ctx.tenantId} and ${messageAttempts.outcome} = 'sent'`);
    check(sentAttempts[0]!.n === N, `exactly one 'sent' attempt per message (${sentAttempts[0]!.n})`);
    check(new Set(ids).size === N, "ids unique");
  } finally {
    worker?.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 500));
    worker?.kill("SIGKILL");
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
