// `npm run bench:bus`: bus ingress (lib/bus) on the real RabbitMQ and a fresh database.
//
// 1. Lag, on the empty database: with delivery workers on (SMS through the provider simulator in
//    its own process), BENCH_LAG_RATE (20) actions/s for BENCH_LAG_SECONDS (10); publish →
//    communication.sent.v1 received from the topic exchange, p50/p99, and publish → message
//    committed (the ingress alone, without delivery). Keep the rate below what delivery sustains,
//    or the figure measures the delivery backlog.
// 2. Consume-and-accept: BENCH_ACTIONS (20,000) actions wait on a tenant's binding queue; the
//    consumer is switched on and the figure is actions / (enabled → last one committed and acked),
//    delivery workers off (this measures accepting, not sending). Target ≥ 2,000 actions/s.
//    Ceilings measured in the same run on the same actions: a bare amqplib consumer that only acks
//    (the broker's share), and the same acceptance called in process with no broker (the database's share).
//
// Queues and exchanges have unique names and are deleted at the end. The machine may be shared:
// figures are what this run measured.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import amqp, { type ConsumeMessage } from "amqplib";
import { and, eq, sql } from "drizzle-orm";
import { closeDb, getDb } from "@/db";
import { messages } from "@/db/schema";
import { SimulatorClient } from "@/e2e/simulator/client";
import { workflows } from "@/inngest/workflows";
import { closeBroker, DEFAULT_RABBITMQ_URL } from "@/lib/broker/rabbitmq";
import { acceptActions } from "@/lib/bus/accept-actions";
import { createBinding, updateBinding } from "@/lib/bus/bindings";
import { busConsumerHealth, busConsumerStats } from "@/lib/bus/consumer";
import { bindingQueue, bindingRoutingKey, busSettings } from "@/lib/bus/settings";
import { startJobEngine, stopJobEngine } from "@/lib/jobs/job-engine";
import { createTestDatabase } from "@/lib/server/test-database";
import { makeConfigForAccount } from "@/lib/test/delivery";
import { systemContext } from "@/lib/tenancy/context";
import { createTemplate, publishTemplate } from "@/lib/templates/templates";
import { createTenant } from "@/lib/tenants/create-tenant";

process.env.HERALD_PROVIDER_URL_ALLOW_HOSTS ??= "127.0.0.1,localhost";
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ACTIONS = Number(process.env.BENCH_ACTIONS ?? 20_000);
const LAG_RATE = Number(process.env.BENCH_LAG_RATE ?? 20);
const LAG_SECONDS = Number(process.env.BENCH_LAG_SECONDS ?? 10);
const simPort = Number(process.env.BENCH_SIM_PORT ?? 4319);
const run = randomBytes(4).toString("hex");
Object.assign(process.env, {
  HERALD_ACTIONS_EXCHANGE: `bench-actions-${run}`,
  HERALD_ACTIONS_QUEUE: `bench-actions-${run}`,
  HERALD_ACTIONS_ROUTING_KEY: `bench.${run}.action`,
  HERALD_ACTIONS_DLQ: `bench-actions-dlq-${run}`,
  HERALD_ACTIONS_SYNC_MS: "200",
  HERALD_COMMUNICATION_EXCHANGE: `bench-communication-${run}`,
});
process.env.HERALD_MASTER_KEY ??= randomBytes(32).toString("base64");
process.env.DATABASE_POOL_SIZE ??= "20";
process.env.LOG_LEVEL ??= "warn";
const brokerUrl = process.env.RABBITMQ_URL ?? DEFAULT_RABBITMQ_URL;

const pct = (sorted: number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);

function action(i: number, prefix: string) {
  return Buffer.from(
    JSON.stringify({
      event: "action.execute.requested.v1",
      meta: { trace_id: `trace-${prefix}-${i}`, producer_service: "bench", produced_at: new Date().toISOString() },
      context: { device_id: `dev-${i}`, raw_id: i, stream_id: 1_000_000 + i },
      data: { action_id: `${prefix}-${i}`, channel: "sms", recipient: `+4670${String(1_000_000 + (i % 9_000_000)).slice(-7)}`, template_id: "alert", template_data: { device: `dev-${i}` } },
    }),
  );
}

async function main() {
  const sim = spawn(process.execPath, ["--import", "tsx", "e2e/simulator/cli.ts", "--port", String(simPort), "--no-auto-delivery"], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  const simUrl = `http://127.0.0.1:${simPort}`;
  const client = new SimulatorClient(simUrl);
  const db = await createTestDatabase();
  const conn = await amqp.connect(brokerUrl);
  const ch = await conn.createConfirmChannel();
  const s = busSettings();
  const cleanup: (() => Promise<unknown>)[] = [];
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
    const tenant = await createTenant({ slug: `bench-${run}`, name: "Bench" });
    const ctx = systemContext(tenant, "bench");
    await makeConfigForAccount(ctx, await client.createAccount({ provider: "elks" }), simUrl);
    await createTemplate(ctx, { key: "alert", name: "Alert", content: { default_locale: "en", locales: { en: { sms: { body: "Voltage high on {{ data.device }}" } } } } });
    await publishTemplate(ctx, "alert", {});
    // Two bindings: one for the lag stream (consumed from the start), one whose queue is filled
    // while it is disabled, for the consume-and-accept rate.
    const lagBinding = await createBinding(ctx, { key: `lag-${run}`, description: "bench lag", enabled: true });
    const binding = await createBinding(ctx, { key: `bench-${run}`, description: "bench", enabled: false });
    const queue = bindingQueue(binding.key, s);
    const routingKey = bindingRoutingKey(binding.key, s);
    const lagKey = bindingRoutingKey(lagBinding.key, s);
    await ch.assertExchange(s.exchange, "topic", { durable: true });
    await ch.assertQueue(queue, { durable: true });
    await ch.bindQueue(queue, s.exchange, routingKey);
    cleanup.push(
      () => ch.deleteQueue(queue),
      () => ch.deleteQueue(bindingQueue(lagBinding.key, s)),
      () => ch.deleteQueue(s.deadLetterQueue),
      () => ch.deleteExchange(s.exchange),
      () => ch.deleteExchange(process.env.HERALD_COMMUNICATION_EXCHANGE!),
    );
    const publish = async (bodies: Buffer[]) => {
      for (const b of bodies) ch.publish(s.exchange, routingKey, b, { persistent: true, contentType: "application/json" });
      await ch.waitForConfirms();
    };
    const fill = async (prefix: string) => {
      for (let i = 0; i < ACTIONS; i += 1000) await publish(Array.from({ length: Math.min(1000, ACTIONS - i) }, (_, j) => action(i + j, prefix)));
    };

    // 1. Lag, first, on an empty database: workers on, a steady stream, sent events read from the topic exchange.
    const sub = await conn.createChannel();
    await sub.assertExchange(process.env.HERALD_COMMUNICATION_EXCHANGE!, "topic", { durable: true });
    const q = await sub.assertQueue("", { exclusive: true });
    await sub.bindQueue(q.queue, process.env.HERALD_COMMUNICATION_EXCHANGE!, "communication.#");
    const publishedAt = new Map<string, number>();
    const publishedWall = new Map<string, number>();
    const lags: number[] = [];
    let failed = 0;
    await sub.consume(
      q.queue,
      (m: ConsumeMessage | null) => {
        if (!m) return;
        const env = JSON.parse(m.content.toString()) as { event: string; data: { action_id?: string } };
        const at = publishedAt.get(env.data.action_id ?? "");
        if (at === undefined) return;
        publishedAt.delete(env.data.action_id!);
        if (env.event === "communication.sent.v1") lags.push(performance.now() - at);
        else failed++;
      },
      { noAck: true },
    );
    await startJobEngine({ workflows, runWorkers: true });
    for (;;) {
      if (busConsumerHealth().consumers === 1) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const total = LAG_RATE * LAG_SECONDS;
    const t3 = performance.now();
    for (let i = 0; i < total; i++) {
      const due = t3 + (i * 1000) / LAG_RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      publishedAt.set(`lag-${run}-${i}`, performance.now());
      publishedWall.set(`lag-${run}-${i}`, Date.now());
      ch.publish(s.exchange, lagKey, action(i, `lag-${run}`), { persistent: true, contentType: "application/json" });
    }
    await ch.waitForConfirms();
    const deadline = performance.now() + 120_000;
    while (lags.length + failed < total && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    lags.sort((a, b) => a - b);
    const committed = await getDb()
      .select({ actionId: messages.actionId, createdAt: messages.createdAt })
      .from(messages)
      .where(and(eq(messages.tenantId, tenant.id), sql`${messages.actionId} like ${`lag-${run}-%`}`));
    const acceptLags = committed.map((m) => m.createdAt.getTime() - publishedWall.get(m.actionId!)!).sort((a, b) => a - b);
    await stopJobEngine();
    await sub.close();

    // 2. Ceiling: the broker alone — consume with the same prefetch and ack at once.
    await fill("ceiling");
    const raw = await conn.createChannel();
    await raw.prefetch(s.prefetch);
    const brokerS = await new Promise<number>((resolve) => {
      let n = 0;
      const t0 = performance.now();
      void raw.consume(queue, (m) => {
        if (!m) return;
        raw.ack(m);
        if (++n === ACTIONS) resolve((performance.now() - t0) / 1000);
      });
    });
    await raw.close();

    // 3. Ceiling: the database alone — the same acceptance called in process, batches of the
    //    consumer's size, as many at a time as the consumer runs per binding.
    const ref = { id: binding.id, tenantId: tenant.id, tenantSlug: tenant.slug, key: binding.key, queue };
    const t1 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 2 }, async () => {
        for (let i = (next += s.batch) - s.batch; i < ACTIONS; i = (next += s.batch) - s.batch) {
          const n = Math.min(s.batch, ACTIONS - i);
          await acceptActions(ref, Array.from({ length: n }, (_, j) => ({ body: action(i + j, "direct"), routingKey })));
        }
      }),
    );
    const directS = (performance.now() - t1) / 1000;

    // 4. The consumer, delivery workers off: a full queue, then the binding enabled.
    await fill("bus");
    await startJobEngine({ workflows, runWorkers: false });
    const before = busConsumerStats()?.accepted ?? 0;
    const t2 = performance.now();
    await updateBinding(ctx, binding.id, { enabled: true });
    for (;;) {
      if ((busConsumerStats()?.accepted ?? 0) - before >= ACTIONS) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const busS = (performance.now() - t2) / 1000;
    const [count] = await getDb()
      .select({ n: sql<number>`count(*)::int` })
      .from(messages)
      .where(and(eq(messages.tenantId, tenant.id), sql`${messages.actionId} like 'bus-%'`));
    await stopJobEngine();

    const rate = (n: number, sec: number) => Math.round(n / sec);
    console.log(`bench:bus — ${ACTIONS} actions on one binding queue, batch ${s.batch}, prefetch ${s.prefetch} (the machine may be shared: figures are this run's)`);
    console.log(`  consume-and-accept: ${rate(ACTIONS, busS)} actions/s  (${ACTIONS} in ${busS.toFixed(2)} s, ${count!.n} messages committed; target ≥ 2,000/s)`);
    console.log(`  ceiling, broker only (consume + ack, no work): ${rate(ACTIONS, brokerS)} actions/s`);
    console.log(`  ceiling, database only (the same acceptance in process, no broker): ${rate(ACTIONS, directS)} actions/s`);
    console.log(
      `  lag publish → communication.sent.v1 at ${LAG_RATE}/s for ${LAG_SECONDS} s: p50 ${pct(lags, 50).toFixed(0)} ms, p99 ${pct(lags, 99).toFixed(0)} ms ` +
        `(${lags.length} sent, ${failed} failed, ${total - lags.length - failed} not seen within 2 min)`,
    );
    console.log(`  lag publish → message committed (ingress alone): p50 ${pct(acceptLags, 50).toFixed(0)} ms, p99 ${pct(acceptLags, 99).toFixed(0)} ms (${acceptLags.length} messages)`);
  } finally {
    await stopJobEngine();
    for (const c of cleanup) await c().catch(() => {});
    await conn.close().catch(() => {});
    await closeBroker();
    await closeDb();
    await db.drop();
    sim.kill("SIGTERM");
  }
}

await main();
process.exit(0);
