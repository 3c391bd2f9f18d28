// `npm run bench:reminders`: one event, BENCH_RECIPIENTS (100,000) contacts in a list, a
// "24 h before: email + SMS + push" reminder.
//   1. plan: the event's plan written (recipients × 3 rows), and the planner's arithmetic for
//      BENCH_PLAN_SENDS (1,000,000) sends, each computed on its own (no per-zone sharing);
//   2. firing: a separate worker process fires the run; time from the firing to every message
//      accepted into the outbox, beside a ceiling from the same run: the same number of messages
//      written by the accept path's bulk statement alone (no rendering, routing or checks);
//   3. a forced second firing of the same run (every send again, same keys) → 0 new messages;
//   4. a second event: the worker is SIGKILLed mid-fan-out and started again → still exactly
//      recipients × 3 messages, no key twice.
// Runs on a fresh database (TEST_DATABASE_URL/DATABASE_URL or embedded). The machine's load shows
// in every figure: read them against the ceiling printed beside them.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { closeDb, getDb } from "@/db";
import { insertAcceptedMessages } from "@/db/queries/messages";
import { runCounts } from "@/db/queries/reminder-runs";
import { insertTenant } from "@/db/queries/tenants";
import { emitEvent } from "@/lib/jobs/emit";
import { createEvent } from "@/lib/reminders/events";
import { planInstant } from "@/lib/reminders/planner";
import { createConfig } from "@/lib/providers/configs";
import { transitionConfig } from "@/lib/providers/config-lifecycle";
import { createTestDatabase } from "@/lib/server/test-database";
import { createTemplate, publishTemplate } from "@/lib/templates/templates";
import { systemContext, type TenantContext } from "@/lib/tenancy/context";
import { configBody } from "@/lib/test/provider-configs";

const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 100_000);
const PLAN_SENDS = Number(process.env.BENCH_PLAN_SENDS ?? 1_000_000);
const EXPECTED = RECIPIENTS * 3;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const fmt = (n: number) => Math.round(n).toLocaleString("en");
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function seed(ctx: TenantContext, label: string) {
  const db = getDb().$client;
  // Contacts with an email, a Swedish mobile and an FCM token each, and a static list of them.
  await db`insert into contacts (tenant_id, name, email, phone, timezone)
    select ${ctx.tenantId}, 'Player ' || g, 'player' || g || '.' || ${label} || '@example.test', '+4670' || lpad(g::text, 7, '0'),
      (array['Europe/Stockholm','Europe/Berlin','America/New_York',null])[1 + g % 4]
    from generate_series(1, ${RECIPIENTS}) g`;
  await db`insert into device_tokens (tenant_id, token, platform, provider, contact_id)
    select tenant_id, 'fcm-' || ${label} || '-' || id, 'android', 'fcm', id from contacts where tenant_id = ${ctx.tenantId} and email like ${`%.${label}@example.test`}`;
  const [list] = await db<{ id: string }[]>`insert into contact_lists (tenant_id, name, kind) values (${ctx.tenantId}, ${`Players ${label}`}, 'static') returning id`;
  await db`insert into contact_list_members (list_id, contact_id, tenant_id)
    select ${list!.id}, id, tenant_id from contacts where tenant_id = ${ctx.tenantId} and email like ${`%.${label}@example.test`}`;
  return list!.id;
}

async function messagesOfRun(runId: string): Promise<number> {
  const [r] = await getDb().$client<{ n: number }[]>`select count(*)::int as n from messages where reminder_run_id = ${runId}`;
  return r!.n;
}

async function runOf(eventId: string): Promise<{ id: string; status: string; firings: number }> {
  const [r] = await getDb().$client<{ id: string; status: string; firings: number }[]>`select id, status, firings from reminder_runs where event_id = ${eventId}`;
  return r!;
}

const workers: ChildProcess[] = [];

function startWorker(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  // Node itself with tsx's loader (not the tsx wrapper): a kill reaches the worker, not a parent
  // that would leave it running.
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/bench-reminders-worker.ts"], { cwd: root, env, stdio: ["ignore", "pipe", "inherit"] });
  workers.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      // The worker's warnings and errors (pino, JSON lines) go to this process's stderr.
      if (d.toString().includes("worker ready")) resolve(child);
      else process.stderr.write(d);
    });
    child.once("exit", (code) => reject(new Error(`worker exited with ${code}`)));
  });
}

async function until(what: string, fn: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${secs(timeoutMs)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stopWorker(w: ChildProcess, signal: NodeJS.Signals) {
  if (w.exitCode !== null || w.signalCode !== null) return;
  const exited = new Promise((r) => w.once("exit", r));
  w.kill(signal);
  // A graceful stop waits for running jobs; the bench's are done, so one that lingers is killed.
  const timer = setTimeout(() => w.kill("SIGKILL"), 20_000);
  await exited;
  clearTimeout(timer);
}

async function main() {
  // The configs only need to exist (nothing is delivered): they name a local port nobody serves.
  process.env.HERALD_PROVIDER_URL_ALLOW_HOSTS = "127.0.0.1";
  process.env.HERALD_MASTER_KEY ??= Buffer.alloc(32, 7).toString("base64");
  const db0 = await createTestDatabase();
  process.env.DATABASE_URL = db0.url;
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: db0.url, LOG_LEVEL: "warn", HERALD_BROKER: "off", HERALD_REMINDER_CHUNK_LEASE_SECONDS: "60" };
  delete env.RABBITMQ_URL;
  try {
    const tenant = (await insertTenant(getDb(), { name: "Bench federation", slug: `bench-rem-${Date.now().toString(36)}` }))!;
    const ctx = systemContext(tenant, "bench");
    for (const provider of ["sendgrid", "elks", "fcm"] as const) {
      const c = await createConfig(ctx, configBody(provider, { api_base_url: "http://127.0.0.1:9" }) as never);
      await transitionConfig(ctx, c.id, "active");
    }
    await createTemplate(ctx, {
      key: "throw-off",
      name: "Throw-off",
      category: "reminders",
      content: {
        default_locale: "en",
        locales: {
          en: {
            email: { subject: "{{ event.title }} tomorrow at {{ event.time }}", html: "<p>Hi {{ contact.first_name }}, see you at {{ event.location }}.</p>" },
            sms: { body: "Hi {{ contact.first_name }}: {{ event.title }} tomorrow {{ event.time }}" },
            push: { title: "{{ event.title }}", body: "Throw-off tomorrow at {{ event.time }}" },
          },
        },
      },
    });
    await publishTemplate(ctx, "throw-off", {});
    const rule = { name: "24 h before", timing: { kind: "offset" as const, minutes: -1440 }, channels: (["email", "sms", "push"] as const).map((channel) => ({ channel, template: "throw-off" })), channel_policy: "all" as const, quiet_hours: null, catch_up: false };

    // 1. The planner's arithmetic per send, then the plan of a real event.
    const zones = ["Europe/Stockholm", "America/New_York", "Asia/Tokyo", "Australia/Sydney", "Europe/London", null];
    const local = { timing: { kind: "local" as const, days_before: 1, time: "18:00" }, quietHours: { start: "21:00", end: "08:00", channels: ["sms" as const] } };
    const ev = { startsAt: new Date("2027-03-28T08:00:00Z"), timezone: "Europe/Stockholm" };
    let t = performance.now();
    for (let i = 0; i < PLAN_SENDS; i++) planInstant(local, ev, zones[i % zones.length]!, i % 3 === 0 ? "sms" : "email");
    const arithmeticMs = performance.now() - t;
    console.log(`planner: ${fmt(PLAN_SENDS)} send instants (local rule, quiet hours, 6 zones) in ${secs(arithmeticMs)} (${fmt(PLAN_SENDS / (arithmeticMs / 1000))}/s) computed one by one; planning shares them per zone, so this is the worst case`);

    const listA = await seed(ctx, "a");
    const startsAt = new Date(Date.now() + 24 * 3600_000 - 60_000).toISOString(); // the 24 h reminder is due now
    t = performance.now();
    const a = await createEvent(ctx, { title: "Swedish Masters", starts_at: startsAt, timezone: "Europe/Stockholm", location: "Boulehallen", audience: { kind: "list", list_id: listA }, reminders: [rule] } as never);
    const planMs = performance.now() - t;
    console.log(`plan write: ${fmt(EXPECTED)} scheduled sends (${fmt(RECIPIENTS)} recipients × 3) in ${secs(planMs)} (${fmt(EXPECTED / (planMs / 1000))}/s); 1,000,000 at this rate ≈ ${secs((1_000_000 / EXPECTED) * planMs)}`);

    // 2. Firing → outbox, through a worker process.
    const run = await runOf(a.id);
    t = performance.now();
    let worker = await startWorker(env);
    await until("first firing", async () => (await messagesOfRun(run.id)) >= EXPECTED, 30 * 60_000);
    const fireMs = performance.now() - t;
    await until("run completed", async () => (await runOf(a.id)).status === "completed", 120_000);
    console.log(`firing → outbox: ${fmt(EXPECTED)} messages in ${secs(fireMs)} = ${fmt(EXPECTED / (fireMs / 1000))} messages/s (target ≥ 5,000/s; includes worker start and the pre-fire re-plan of the list)`);

    // The ceiling: the accept path's bulk statement alone, same rows, 1,000 per statement, 4 at a time.
    const rows = Array.from({ length: EXPECTED }, (_, i) => {
      const id = randomUUID();
      return { id, tenantId: ctx.tenantId, channel: "sms" as const, status: "queued" as const, route: [], recipient: `+4671${String(i).padStart(7, "0")}`, payload: { to: "+46710000000", body: "Hi Player: Swedish Masters tomorrow 10:00" }, idempotencyKey: `ceiling-${i}`, requestHash: "x", traceId: id.replace(/-/g, ""), providerReference: `hm_${id}` };
    });
    t = performance.now();
    let next = 0;
    await Promise.all(
      [0, 1, 2, 3].map(async () => {
        for (let i = (next += 1000) - 1000; i < EXPECTED; i = (next += 1000) - 1000) {
          const chunk = rows.slice(i, i + 1000);
          await insertAcceptedMessages(getDb(), { rows: chunk, history: { fromStatus: null, reason: "accepted" }, events: chunk.map((r) => ({ id: r.id, tenantId: r.tenantId, name: "herald/message.queued", payload: { tenantId: r.tenantId, messageId: r.id } })) });
        }
      }),
    );
    const ceilingMs = performance.now() - t;
    console.log(`  ceiling (bulk accept statement alone, same run): ${fmt(EXPECTED / (ceilingMs / 1000))} messages/s`);

    // 3. A forced second firing of the same run.
    const before = await messagesOfRun(run.id);
    await emitEvent("herald/reminder-run.due", { tenantId: ctx.tenantId, runId: run.id, force: true }, { tenantId: ctx.tenantId, id: randomUUID() });
    t = performance.now();
    await until("forced re-firing", async () => {
      const r = await runOf(a.id);
      return r.firings >= 2 && r.status === "completed";
    }, 30 * 60_000);
    console.log(`forced second firing: ${fmt((await messagesOfRun(run.id)) - before)} new messages (every send again with its key) in ${secs(performance.now() - t)}`);

    // 4. Kill the worker mid-fan-out, start another: still exactly recipients × 3.
    const listB = await seed(ctx, "b");
    const b = await createEvent(ctx, { title: "Swedish Masters, day 2", starts_at: startsAt, timezone: "Europe/Stockholm", location: "Boulehallen", audience: { kind: "list", list_id: listB }, reminders: [rule] } as never);
    const runB = await runOf(b.id);
    await until("fan-out under way", async () => (await messagesOfRun(runB.id)) >= EXPECTED / 3, 30 * 60_000);
    await stopWorker(worker, "SIGKILL");
    const atKill = await messagesOfRun(runB.id);
    worker = await startWorker(env);
    await until("run completed after the restart", async () => (await runOf(b.id)).status === "completed", 30 * 60_000);
    const [dups] = await getDb().$client<{ n: number }[]>`select count(*)::int as n from (select idempotency_key from messages where reminder_run_id = ${runB.id} group by 1 having count(*) > 1) d`;
    const total = await messagesOfRun(runB.id);
    const counts = (await runCounts(getDb(), { tenantId: ctx.tenantId, runIds: [runB.id] })).get(runB.id)!;
    if (counts.planned !== counts.messages) {
      console.log(`  run figures: ${JSON.stringify(counts)}`);
      for (const d of await getDb().$client<{ function_id: string; error: string; attempts: number }[]>`select function_id, error, attempts from job_dead_letters limit 5`) console.log(`  dead letter: ${d.function_id} after ${d.attempts}: ${d.error.slice(0, 300)}`);
      for (const r of await getDb().$client<{ channel: string; status: string; reason: string; n: number }[]>`select channel, status, reason, count(*)::int as n from reminder_sends where run_id = ${runB.id} and status <> 'queued' group by 1, 2, 3`) console.log(`  not sent: ${r.n} ${r.channel} ${r.status} (${r.reason})`);
    }
    console.log(`worker killed mid-fan-out at ${fmt(atKill)} messages, restarted: ${fmt(total)} messages (expected ${fmt(EXPECTED)}), ${dups!.n} keys twice ${total === EXPECTED && dups!.n === 0 ? "✓" : "✗"}`);
    await stopWorker(worker, "SIGTERM");
    if (total !== EXPECTED || dups!.n !== 0) process.exitCode = 1;
  } finally {
    for (const w of workers) if (w.exitCode === null) w.kill("SIGKILL");
    await closeDb();
    await db0.drop();
  }
}

await main();
