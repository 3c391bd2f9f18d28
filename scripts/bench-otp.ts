// `npm run bench:otp`: OTP latency under campaign load, and verify throughput, on the embedded
// engine (pg-boss) with the provider simulator in its own process (real HTTP).
//
// 1. Ceiling: OTPs on an idle system (request → the simulated handset received the SMS).
// 2. Load: tenant A queues BENCH_CAMPAIGN SMS through the same Infobip config its OTPs use, and
//    tenant B queues BENCH_CAMPAIGN emails; meanwhile A requests BENCH_OTPS codes, one every
//    BENCH_OTP_INTERVAL_MS, through the OTP service (throttles, pumping checks, masked message,
//    priority lane). Target: p99 < 1 s.
// 3. Verify throughput: BENCH_VERIFY_OTPS codes × 5 checks at BENCH_VERIFY_CONCURRENCY, beside
//    the ceiling of the same concurrency running a trivial `select 1`.
//
//   BENCH_CAMPAIGN (20000)  BENCH_OTPS (40)  BENCH_OTP_INTERVAL_MS (250)  BENCH_VERIFY_OTPS (200)
//   BENCH_VERIFY_CONCURRENCY (16)  HERALD_DELIVERY_CONCURRENCY (32)  BENCH_SIM_PORT (4319)
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { and, eq, inArray, sql } from "drizzle-orm";
import { closeDb, getDb } from "@/db";
import { messages, otpCodes } from "@/db/schema";
import { SimulatorClient } from "@/e2e/simulator/client";
import { workflows } from "@/inngest/workflows";
import { closeBroker } from "@/lib/broker/rabbitmq";
import { startJobEngine, stopJobEngine } from "@/lib/jobs/job-engine";
import { setOtpPolicy } from "@/lib/otp/policy";
import { createOtp } from "@/lib/otp/send-otp";
import { verifyOtp } from "@/lib/otp/verify-otp";
import { createTestDatabase } from "@/lib/server/test-database";
import { makeConfigForAccount, queueMessages, type QueueInput } from "@/lib/test/delivery";
import { systemContext, type TenantContext } from "@/lib/tenancy/context";
import { createTenant } from "@/lib/tenants/create-tenant";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CAMPAIGN = Number(process.env.BENCH_CAMPAIGN ?? 20_000);
const OTPS = Number(process.env.BENCH_OTPS ?? 40);
const OTP_INTERVAL_MS = Number(process.env.BENCH_OTP_INTERVAL_MS ?? 250);
const VERIFY_OTPS = Number(process.env.BENCH_VERIFY_OTPS ?? 200);
const VERIFY_CONCURRENCY = Number(process.env.BENCH_VERIFY_CONCURRENCY ?? 16);
const simPort = Number(process.env.BENCH_SIM_PORT ?? 4319);
const run = randomBytes(4).toString("hex");
process.env.HERALD_COMMUNICATION_EXCHANGE ??= `bench-otp-${run}`;
process.env.HERALD_MASTER_KEY ??= randomBytes(32).toString("base64");
process.env.DATABASE_POOL_SIZE ??= "20";
process.env.LOG_LEVEL ??= "warn";
// The simulator listens on loopback: let provider base URLs name it (the simulator process inherits it too).
process.env.HERALD_PROVIDER_URL_ALLOW_HOSTS ??= "127.0.0.1,localhost";

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
const summary = (lat: number[]) => {
  const s = [...lat].sort((a, b) => a - b);
  return `p50 ${pct(s, 50)} ms, p99 ${pct(s, 99)} ms, max ${s.at(-1)} ms (n=${s.length})`;
};
/** A benchmark never verifies most codes: lift the throttles, the cap and pumping detection. */
const WIDE = {
  limits: { destination_30s: 1000, destination_hour: 1000, destination_day: 1000, client_hour: 1_000_000, tenant_day: 1_000_000 },
  daily_spend_cap: 1_000_000,
  pumping_min_sends: 100_000,
};
let numberSeq = 0;
const nextNumber = () => `+46701${String(++numberSeq).padStart(6, "0")}`;

async function main() {
  const sim = spawn(process.execPath, ["--import", "tsx", "e2e/simulator/cli.ts", "--port", String(simPort), "--no-auto-delivery"], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const simUrl = `http://127.0.0.1:${simPort}`;
  const client = new SimulatorClient(simUrl);
  const db = await createTestDatabase();
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
    const a = systemContext(await createTenant({ slug: `otp-a-${run}`, name: "A" }), "bench");
    const b = systemContext(await createTenant({ slug: `otp-b-${run}`, name: "B" }), "bench");
    const aConfig = await makeConfigForAccount(a, await client.createAccount({ provider: "infobip" }), simUrl);
    const bConfig = await makeConfigForAccount(b, await client.createAccount({ provider: "sendgrid" }), simUrl);
    await setOtpPolicy(a, WIDE);
    await startJobEngine({ workflows, runWorkers: true });

    // Warm up (credential caches, connections).
    await otpLatencies(a, 3, 50);
    const idle = await otpLatencies(a, 20, 100);

    const sms = (i: number): QueueInput => ({ channel: "sms", route: [aConfig], recipient: `+4673${String(i).padStart(7, "0")}`, payload: { to: `+4673${String(i).padStart(7, "0")}`, body: `Campaign ${i}` } });
    const email = (i: number): QueueInput => ({ channel: "email", route: [bConfig], recipient: `b${i}@example.com`, payload: { to: [{ email: `b${i}@example.com` }], subject: `News ${i}`, body_text: "Hello" } });
    const queueStart = performance.now();
    for (let i = 0; i < CAMPAIGN; i += 1000) {
      const n = Math.min(1000, CAMPAIGN - i);
      await queueMessages(a, Array.from({ length: n }, (_, k) => sms(i + k)));
      await queueMessages(b, Array.from({ length: n }, (_, k) => email(i + k)));
    }
    const queuedS = (performance.now() - queueStart) / 1000;
    const before = await campaignDone([a.tenantId, b.tenantId]);
    const loaded = await otpLatencies(a, OTPS, OTP_INTERVAL_MS);
    const after = await campaignDone([a.tenantId, b.tenantId]);

    const verify = await verifyThroughput(b);
    const ceiling = await selectOneThroughput(VERIFY_OTPS * 5);

    console.log(`bench:otp — pg-boss, delivery concurrency ${process.env.HERALD_DELIVERY_CONCURRENCY ?? 32}; simulator in its own process; shared machine`);
    console.log(`  ceiling (idle): OTP request → simulated handset received it: ${summary(idle)}`);
    console.log(`  campaigns: ${CAMPAIGN} SMS (tenant A, same Infobip config as its OTPs) + ${CAMPAIGN} emails (tenant B) queued in ${queuedS.toFixed(1)} s; ${before}…${after} of ${2 * CAMPAIGN} delivered while the OTPs ran`);
    console.log(`  under load: ${OTPS} OTPs of tenant A, one per ${OTP_INTERVAL_MS} ms: ${summary(loaded)} (target p99 < 1000 ms)`);
    console.log(`  verify: ${verify.calls} checks at concurrency ${VERIFY_CONCURRENCY}: ${verify.perSecond.toFixed(0)}/s, beside select-1 ceiling ${ceiling.toFixed(0)}/s (campaign deliveries still running)`);
  } finally {
    await stopJobEngine();
    await closeBroker();
    await closeDb();
    await db.drop();
    sim.kill("SIGTERM");
  }
}

/** Requests `n` OTPs `intervalMs` apart; latency = request start → the simulator received the SMS. */
async function otpLatencies(ctx: TenantContext, n: number, intervalMs: number): Promise<number[]> {
  const started: { otpId: string; at: number }[] = [];
  for (let i = 0; i < n; i++) {
    const at = Date.now();
    const out = await createOtp(ctx, { to: nextNumber(), channel: "sms", length: 6, ttl_seconds: 300 }, { apiKeyId: null, clientAddress: "127.0.0.1" });
    started.push({ otpId: out.body.otp_id, at });
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  const ids = started.map((s) => s.otpId);
  const client = new SimulatorClient(`http://127.0.0.1:${simPort}`);
  for (;;) {
    const rows = await getDb()
      .select({ id: otpCodes.id, messageId: otpCodes.messageId, sentAt: otpCodes.sentAt, status: messages.status })
      .from(otpCodes)
      .innerJoin(messages, eq(messages.id, otpCodes.messageId))
      .where(and(eq(otpCodes.tenantId, ctx.tenantId), inArray(otpCodes.id, ids)));
    if (rows.length === n && rows.every((r) => r.status === "sent" || r.status === "failed")) {
      const out: number[] = [];
      for (const r of rows) {
        if (r.status !== "sent") continue;
        const received = await client.getMessage(`hm_${r.messageId}`);
        out.push(Date.parse(received.createdAt) - started.find((s) => s.otpId === r.id)!.at);
      }
      return out;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function campaignDone(tenantIds: string[]) {
  const [row] = await getDb()
    .select({ n: sql<number>`count(*)::int` })
    .from(messages)
    .where(and(inArray(messages.tenantId, tenantIds), inArray(messages.status, ["sent", "failed"])));
  return row!.n;
}

/** Five wrong checks on each of VERIFY_OTPS codes (each locks on its fifth), VERIFY_CONCURRENCY at a time. */
async function verifyThroughput(ctx: TenantContext) {
  await makeConfigForAccount(ctx, await new SimulatorClient(`http://127.0.0.1:${simPort}`).createAccount({ provider: "infobip" }), `http://127.0.0.1:${simPort}`);
  await setOtpPolicy(ctx, WIDE);
  const ids: string[] = [];
  await pool(Array.from({ length: VERIFY_OTPS }, () => nextNumber()), VERIFY_CONCURRENCY, async (to) => {
    ids.push((await createOtp(ctx, { to, channel: "sms", length: 6, ttl_seconds: 600 }, { apiKeyId: null, clientAddress: "127.0.0.1" })).body.otp_id);
  });
  const work = ids.flatMap((id) => Array.from({ length: 5 }, () => id));
  const t0 = performance.now();
  await pool(work, VERIFY_CONCURRENCY, (id) => verifyOtp(ctx, id, "0000000"));
  const s = (performance.now() - t0) / 1000;
  return { calls: work.length, perSecond: work.length / s };
}

async function selectOneThroughput(calls: number) {
  const t0 = performance.now();
  await pool(Array.from({ length: calls }, (_, i) => i), VERIFY_CONCURRENCY, () => getDb().execute(sql`select 1`));
  return calls / ((performance.now() - t0) / 1000);
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

await main();
process.exit(0);
