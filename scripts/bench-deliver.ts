// `npm run bench:deliver`: messages delivered per second on the embedded engine (pg-boss) through
// the provider simulator (its own process, real HTTP), with each terminal event published to
// RabbitMQ (confirms) as in production. N queued messages are drained by this process's workers;
// the figure is N / (first queued → last terminal). Its ceiling, measured in the same run: a bare
// keep-alive HTTP client sending the same mail to the same simulator with as many requests in
// flight as the delivery concurrency. Targets (issue 23): ≥ 1,000 messages/s and ≥ 30 % of the bare
// client. Correctness: every message terminal, one provider call and one published event each.
//
//   BENCH_MESSAGES (default 5000, 2000 with BENCH_QUICK=1)  HERALD_DELIVERY_CONCURRENCY (default 32)  BENCH_SIM_PORT (default 4317)
//   BENCH_CHANNEL=email|sms (default email: SendGrid through @sendgrid/mail)
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { and, eq, inArray, sql } from "drizzle-orm";
import { closeDb, getDb } from "@/db";
import { communicationEvents, messages } from "@/db/schema";
import { SimulatorClient } from "@/e2e/simulator/client";
import { workflows } from "@/inngest/workflows";
import { closeBroker } from "@/lib/broker/rabbitmq";
import { startJobEngine, stopJobEngine } from "@/lib/jobs/job-engine";
import { createTestDatabase } from "@/lib/server/test-database";
import { makeConfigForAccount, queueMessages, type QueueInput } from "@/lib/test/delivery";
import { systemContext } from "@/lib/tenancy/context";
import { createTenant } from "@/lib/tenants/create-tenant";
import { httpRequest, pct } from "./bench-server";
import { quick, reportResult, verdict } from "./bench-result";

// The simulator listens on loopback: let provider base URLs name it (workers inherit the setting).
process.env.HERALD_PROVIDER_URL_ALLOW_HOSTS ??= "127.0.0.1,localhost";
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const N = Number(process.env.BENCH_MESSAGES ?? (quick ? 2000 : 5000));
const concurrency = Number(process.env.HERALD_DELIVERY_CONCURRENCY ?? 32);
const simPort = Number(process.env.BENCH_SIM_PORT ?? 4317);
const channel = process.env.BENCH_CHANNEL === "sms" ? "sms" : "email";
const run = randomBytes(4).toString("hex");
process.env.HERALD_COMMUNICATION_EXCHANGE ??= `bench-communication-${run}`;
process.env.HERALD_MASTER_KEY ??= randomBytes(32).toString("base64");
process.env.DATABASE_POOL_SIZE ??= "20";
process.env.LOG_LEVEL ??= "warn";

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
    const tenant = await createTenant({ slug: `bench-${run}`, name: "Bench" });
    const ctx = systemContext(tenant, "bench");
    const provider = channel === "email" ? "sendgrid" : "elks";
    const account = await client.createAccount({ provider });
    const config = await makeConfigForAccount(ctx, account, simUrl);
    const inputs: QueueInput[] = Array.from({ length: N }, (_, i) =>
      channel === "email"
        ? { channel, route: [config], recipient: `b${i}@example.com`, payload: { to: [{ email: `b${i}@example.com` }], subject: `Bench ${i}`, body_text: "Hello from the bench" } }
        : { channel, route: [config], recipient: `+4670${1_000_000 + i}`, payload: { to: `+4670${1_000_000 + i}`, body: `Bench ${i}` } },
    );

    // Ceiling: a bare client against the same simulator (its own account, so the provider-call
    // count below stays Herald's own).
    const ceiling = channel === "email" ? await bareSendgridRate(client, simPort, quick ? 3 : 5) : undefined;

    // Warm up: SDK clients, credential cache, broker connection, exchange.
    await startJobEngine({ workflows, runWorkers: true });
    const warm = await queueMessages(ctx, inputs.slice(0, 20));
    await waitTerminal(warm.length, ctx.tenantId);

    const started = performance.now();
    for (let i = 0; i < N; i += 1000) await queueMessages(ctx, inputs.slice(i, i + 1000));
    const queuedMs = performance.now() - started;
    const done = await waitTerminal(N + warm.length, ctx.tenantId);
    const elapsedS = (performance.now() - started) / 1000;
    // Terminal events are published after the terminal write: give the relay a moment to finish.
    const countEvents = async () =>
      (await getDb()
        .select({
          published: sql<number>`count(*) filter (where ${communicationEvents.status} = 'published')::int`,
          all: sql<number>`count(*)::int`,
          messages: sql<number>`count(distinct ${communicationEvents.messageId})::int`,
        })
        .from(communicationEvents)
        .where(eq(communicationEvents.tenantId, ctx.tenantId)))[0]!;
    let ev = await countEvents();
    for (let i = 0; i < 300 && (ev.published < ev.all || ev.all < done.sent + done.failed); i++) {
      await new Promise((r) => setTimeout(r, 100));
      ev = await countEvents();
    }
    const requests = (await client.listRequests({ accountId: account.id, limit: 100_000 })).length;
    const rate = (done.sent - warm.length) / elapsedS;
    const terminal = done.sent + done.failed;

    console.log(`bench:deliver — ${N} ${channel} messages via ${provider} (simulator in its own process), pg-boss, concurrency ${concurrency}`);
    if (ceiling) console.log(`  bare HTTP client, ${concurrency} in flight: ${ceiling.rate.toFixed(0)} req/s  p50 ${ceiling.p50.toFixed(1)} ms  p99 ${ceiling.p99.toFixed(1)} ms  (ceiling)`);
    console.log(`  queued in ${queuedMs.toFixed(0)} ms (batched outbox writes)`);
    console.log(`  terminal: ${done.sent} sent, ${done.failed} failed in ${elapsedS.toFixed(2)} s`);
    console.log(`  delivered: ${rate.toFixed(0)} messages/s${ceiling ? ` = ${((rate / ceiling.rate) * 100).toFixed(0)}% of the bare client` : ""}`);
    console.log(`  provider calls: ${requests}; communication events published: ${ev.published}/${ev.all} for ${ev.messages} messages`);
    const ratioOk = ceiling ? rate / ceiling.rate >= 0.3 : true;
    console.log(`  targets (issue 23): ≥ 1,000 messages/s ${verdict(rate >= 1000)}; ≥ 30% of the bare client ${ceiling ? verdict(ratioOk) : "n/a (sms)"}`);
    const correct = terminal === N + warm.length && requests === terminal && ev.all === terminal && ev.messages === terminal && ev.published === ev.all;
    console.log(`  every message terminal, one provider call and one published event each: ${verdict(correct)}`);
    reportResult({
      bench: "deliver",
      path: `delivery (${provider}, pg-boss)`,
      figure: rate,
      unit: "msgs/s",
      ...(ceiling ? { ceiling: { name: "bare HTTP client → simulator", figure: ceiling.rate, unit: "req/s" }, ratio: rate / ceiling.rate } : {}),
      target: "≥ 1,000 msgs/s and ≥ 30% of bare client",
      pass: rate >= 1000 && ratioOk,
    });
    reportResult({ bench: "deliver", path: "deliver: terminal, 1 call + 1 event each", figure: ev.published, unit: `of ${(N + warm.length).toLocaleString("en-US")}`, target: "all, once", pass: correct });
  } finally {
    await stopJobEngine();
    await closeBroker();
    await closeDb();
    await db.drop();
    sim.kill("SIGTERM");
  }
}

/** Requests/s of a keep-alive client posting one mail at a time per slot to the simulator. */
async function bareSendgridRate(client: SimulatorClient, port: number, seconds: number) {
  const account = (await client.createAccount({ provider: "sendgrid" })) as { apiKey?: string };
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const headers = { "content-type": "application/json", authorization: `Bearer ${account.apiKey}` };
  const latencies: number[] = [];
  let ok = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, c) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const body = JSON.stringify({
          personalizations: [{ to: [{ email: `bare${c}-${i}@example.com` }], custom_args: { idempotency_key: `bare-${c}-${i}` } }],
          from: { email: "bench@example.com", name: "Bench" },
          subject: `Bench ${i}`,
          content: [{ type: "text/plain", value: "Hello from the bench" }],
        });
        const t0 = performance.now();
        const res = await httpRequest(agent, port, "POST", "/v3/mail/send", body, headers);
        if (res.status >= 200 && res.status < 300) {
          ok++;
          latencies.push(performance.now() - t0);
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { rate: ok / elapsed, p50: pct(latencies, 50), p99: pct(latencies, 99) };
}

async function waitTerminal(expected: number, tenantId: string) {
  for (;;) {
    const [row] = await getDb()
      .select({
        sent: sql<number>`count(*) filter (where ${messages.status} = 'sent')::int`,
        failed: sql<number>`count(*) filter (where ${messages.status} = 'failed')::int`,
      })
      .from(messages)
      .where(and(eq(messages.tenantId, tenantId), inArray(messages.status, ["sent", "failed"])));
    if (row!.sent + row!.failed >= expected) return row!;
    await new Promise((r) => setTimeout(r, 100));
  }
}

await main();
process.exit(0);
