// `npm run bench:call-events`: ingest throughput and latency of POST /api/call-events against the
// production server (`npm start` on the existing `next build`), real Postgres and RabbitMQ, with
// publishing running; the throughput of a trivial route of the same build in the same run, and of
// bare node:http in its own process (the framework's share); and
// the publish lag (202 received → message on the queue) at saturation and, paced at half the
// measured ingest rate, below it; Postgres's durable single-row commit rate on the same database
// as a second ceiling. Prints figures and the targets of issue 23; correctness: every accepted
// event on the queue exactly once.
//
//   BENCH_SECONDS (default 10, 4 with BENCH_QUICK=1)  BENCH_CLIENTS (default 10)  PORT (default 3917)
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import amqp from "amqplib";
import { closeDb } from "@/db";
import { DEFAULT_RABBITMQ_URL } from "@/lib/broker/rabbitmq";
import { createTestDatabase } from "@/lib/server/test-database";
import { rotateTelephonyToken } from "@/lib/telephony/tokens";
import { createTenant } from "@/lib/tenants/create-tenant";
import { systemContext } from "@/lib/tenancy/context";
import { measureInsertCeiling, quick, reportResult, verdict } from "./bench-result";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const seconds = Number(process.env.BENCH_SECONDS ?? (quick ? 4 : 10));
const clients = Number(process.env.BENCH_CLIENTS ?? 10);
const port = Number(process.env.PORT ?? 3917);
const rabbitUrl = process.env.RABBITMQ_URL ?? DEFAULT_RABBITMQ_URL;
const queue = `bench-call-events-${randomBytes(4).toString("hex")}`;
const agent = new http.Agent({ keepAlive: true, maxSockets: clients });

function request(method: string, p: string, body?: string, headers: Record<string, string> = {}, toPort = port): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port: toPort, method, path: p, agent, headers: body ? { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers } : headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Run {
  ok: number;
  errors: number;
  statuses: Map<number, number>;
  latencies: number[];
  elapsedS: number;
}

/** `clients` concurrent loops, each issuing its next request when the last one answers. */
async function load(durationS: number, next: (client: number, i: number) => { method: string; path: string; body?: string; headers?: Record<string, string>; port?: number }, onAccepted?: (client: number, i: number, at: number) => void): Promise<Run> {
  const run: Run = { ok: 0, errors: 0, statuses: new Map(), latencies: [], elapsedS: 0 };
  const started = performance.now();
  const deadline = started + durationS * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const r = next(c, i);
        const t0 = performance.now();
        try {
          const res = await request(r.method, r.path, r.body, r.headers, r.port);
          const t1 = performance.now();
          run.statuses.set(res.status, (run.statuses.get(res.status) ?? 0) + 1);
          if (res.status >= 200 && res.status < 300) {
            run.ok++;
            run.latencies.push(t1 - t0);
            onAccepted?.(c, i, Date.now());
          } else run.errors++;
        } catch {
          run.errors++;
        }
      }
    }),
  );
  run.elapsedS = (performance.now() - started) / 1000;
  run.latencies.sort((a, b) => a - b);
  return run;
}

function summary(name: string, r: Run) {
  const rps = r.ok / r.elapsedS;
  console.log(
    `${name.padEnd(22)} ${rps.toFixed(0).padStart(6)} req/s   p50 ${pct(r.latencies, 50).toFixed(1)} ms   p99 ${pct(r.latencies, 99).toFixed(1)} ms   ` +
      `ok ${r.ok}  errors ${r.errors}  statuses ${[...r.statuses].map(([s, n]) => `${s}:${n}`).join(" ")}`,
  );
  return rps;
}

async function waitForServer(child: ChildProcess) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode}`);
    try {
      if ((await request("GET", "/api/bench/noop")).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("the server did not become ready within 120 s");
}

/** Open loop: `rate` requests/s for `durationS`, whatever the answers' pace (lag below saturation). */
async function pacedLoad(rate: number, durationS: number, next: (n: number) => { body: string; key: string }, token: string, onAccepted: (key: string) => void) {
  let ok = 0;
  let errors = 0;
  const inflight: Promise<void>[] = [];
  const started = performance.now();
  for (let n = 0; n < rate * durationS; n++) {
    const due = started + (n * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const { body, key } = next(n);
    inflight.push(
      request("POST", "/api/call-events", body, { "x-api-token": token }).then(
        (res) => {
          if (res.status >= 200 && res.status < 300) {
            ok++;
            onAccepted(key);
          } else errors++;
        },
        () => {
          errors++;
        },
      ),
    );
  }
  await Promise.all(inflight);
  return { ok, errors };
}

const lifecycle = [
  ["call_started", undefined],
  ["call_ringing", undefined],
  ["call_answered", undefined],
  ["call_ended", 42],
] as const;

async function main() {
  if (!existsSync(path.join(root, ".next", "BUILD_ID"))) {
    console.error("No production build: run `npx next build` first (this benchmark measures the built server).");
    process.exit(2);
  }
  const db = await createTestDatabase();
  process.env.DATABASE_URL = db.url;
  const tenant = await createTenant({ slug: `bench-${randomBytes(3).toString("hex")}`, name: "Bench" });
  const { token } = await rotateTelephonyToken(systemContext(tenant, "bench"));
  await closeDb();
  // Before the server starts, so neither competes with the other.
  const commitCeiling = await measureInsertCeiling(db.url, { seconds: quick ? 2 : 4, clients: 8, rowsPerStatement: 1 });

  const conn = await amqp.connect(rabbitUrl);
  const ch = await conn.createChannel();
  await ch.assertQueue(queue, { durable: true });

  const child = spawn("npx", ["tsx", "scripts/start.ts"], {
    cwd: root,
    env: { ...process.env, PORT: String(port), DATABASE_URL: db.url, NODE_ENV: "production", HERALD_CALL_EVENTS_QUEUE: queue, HERALD_SEED_DEMO: "false" },
    stdio: ["ignore", process.env.BENCH_SERVER_LOG ? "inherit" : "ignore", "inherit"],
    detached: true,
  });
  const stop = async () => {
    // The server runs in its own process group (npx → tsx → node): signal the group.
    const signal = (s: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, s);
      } catch {
        // already gone
      }
    };
    if (child.exitCode === null) {
      signal("SIGTERM");
      const exited = new Promise((r) => child.once("exit", r));
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      signal("SIGKILL");
    }
  };

  try {
    await waitForServer(child);
    const run = randomBytes(3).toString("hex");
    const event = (c: number, i: number) => {
      const call = Math.floor(i / lifecycle.length);
      const [type, duration] = lifecycle[i % lifecycle.length]!;
      return {
        call_id: `bench-${run}-${c}-${call}`,
        from_number: "+994501234567",
        to_number: "+994701234567",
        event_type: type,
        timestamp: new Date(Date.UTC(2025, 10, 30, 10, 0, i % lifecycle.length)).toISOString(),
        ...(duration !== undefined ? { duration } : {}),
      };
    };
    const ingest = (prefix: string) => (c: number, i: number) => {
      const e = event(c, i);
      e.call_id = `${prefix}${e.call_id}`;
      return { method: "POST", path: "/api/call-events", body: JSON.stringify(e), headers: { "x-api-token": token } };
    };
    const noop = () => ({ method: "POST", path: "/api/bench/noop", body: "{}" });
    // The framework's share: the same JSON answer from bare node:http in its own process, same client.
    const barePort = port + 1;
    const bareServer = spawn(
      process.execPath,
      ["-e", `require("node:http").createServer((q, s) => { q.resume(); q.on("end", () => { s.setHeader("content-type", "application/json"); s.end('{"ok":true}'); }); }).listen(${barePort}, "127.0.0.1")`],
      { stdio: "ignore" },
    );
    const bare = () => ({ method: "POST", path: "/", body: "{}", port: barePort });

    // Warm both routes (JIT, connection pools, the broker connection).
    await load(2, noop);
    await load(2, ingest("warm-"));

    // Publish lag: 202 received → consumed from the queue. A message may arrive before its 202 is
    // read here, so both ends are recorded by key and the lag is computed afterwards (floored at 0).
    const consumedAt = new Map<string, number>();
    const seen = new Set<string>();
    let duplicates = 0;
    await ch.consume(queue, (m) => {
      if (!m) return;
      const body = JSON.parse(m.content.toString()) as { call_id: string; event_type: string; event_id: string };
      if (seen.has(body.event_id)) duplicates++;
      seen.add(body.event_id);
      consumedAt.set(`${body.call_id}|${body.event_type}`, Date.now());
      ch.ack(m);
    });
    const saturatedAt = new Map<string, number>();
    const pacedAt = new Map<string, number>();
    const onQueue = (accepted: Map<string, number>) => [...accepted.keys()].filter((k) => consumedAt.has(k)).length;
    const lagsOf = (accepted: Map<string, number>) =>
      [...accepted].flatMap(([k, at]) => (consumedAt.has(k) ? [Math.max(0, consumedAt.get(k)! - at)] : [])).sort((x, y) => x - y);
    const drain = async (accepted: Map<string, number>) => {
      const deadline = Date.now() + 60_000;
      while (onQueue(accepted) < accepted.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    };

    console.log(`\nbench:call-events — ${clients} clients, ${seconds} s per route, queue ${queue}\n`);
    await load(1, bare);
    const bareRps = summary("bare node:http", await load(seconds, bare));
    bareServer.kill("SIGTERM");
    const baseline = summary("trivial route", await load(seconds, noop));
    console.log(`framework share: the trivial Next route answers ${((baseline / bareRps) * 100).toFixed(0)}% of bare node:http's rate (same client, own processes)`);
    const ingestRun = await load(seconds, ingest(""), (c, i) => {
      const e = event(c, i);
      saturatedAt.set(`${e.call_id}|${e.event_type}`, Date.now());
    });
    const ingestRps = summary("POST /api/call-events", ingestRun);
    await drain(saturatedAt);
    const satLags = lagsOf(saturatedAt);

    // Below saturation: open loop at half the measured ingest rate, lag measured the same way.
    const pacedRate = Math.max(1, Math.floor(ingestRps / 2));
    const paced = await pacedLoad(pacedRate, seconds, (n) => {
      const e = event(1000 + (n % clients), Math.floor(n / clients));
      e.call_id = `paced-${e.call_id}`;
      return { body: JSON.stringify(e), key: `${e.call_id}|${e.event_type}` };
    }, token, (key) => pacedAt.set(key, Date.now()));
    await drain(pacedAt);
    const pacedLags = lagsOf(pacedAt);
    const consumed = onQueue(saturatedAt) + onQueue(pacedAt);
    const acceptedAt = { size: saturatedAt.size + pacedAt.size };
    const satConsumed = onQueue(saturatedAt);
    const satAccepted = saturatedAt.size;
    console.log(
      `publish lag (saturated) p50 ${pct(satLags, 50).toFixed(0)} ms   p99 ${pct(satLags, 99).toFixed(0)} ms   max ${satLags.at(-1) ?? NaN} ms   on queue ${satConsumed}/${satAccepted}`,
    );
    console.log(
      `publish lag (${pacedRate}/s)  p50 ${pct(pacedLags, 50).toFixed(0)} ms   p99 ${pct(pacedLags, 99).toFixed(0)} ms   max ${pacedLags.at(-1) ?? NaN} ms   accepted ${paced.ok}, errors ${paced.errors}`,
    );
    console.log(`on queue ${consumed}/${acceptedAt.size}  duplicates ${duplicates}`);
    console.log(`ceiling: Postgres single-row durable commits, 8 clients: ${commitCeiling.toFixed(0)}/s`);

    const ratio = ingestRps / baseline;
    const p99 = pct(ingestRun.latencies, 99);
    const lagP99 = pct(satLags, 99);
    const pacedLagP99 = pct(pacedLags, 99);
    const correct = consumed === acceptedAt.size && duplicates === 0;
    console.log(`\ntargets (issue 23)`);
    console.log(`  throughput ≥ 60% of trivial route: ${(ratio * 100).toFixed(0)}%  ${verdict(ratio >= 0.6)}`);
    console.log(`  p99 ≤ 30 ms at ${clients} clients:        ${p99.toFixed(1)} ms  ${verdict(p99 <= 30)}`);
    console.log(`  publish lag p99 < 1 s at saturation: ${lagP99.toFixed(0)} ms  ${verdict(lagP99 < 1000)}`);
    console.log(`  publish lag p99 < 250 ms below it:   ${pacedLagP99.toFixed(0)} ms  ${verdict(pacedLagP99 < 250)}`);
    console.log(`  every accepted event on the queue once: ${consumed}/${acceptedAt.size}, ${duplicates} duplicates  ${verdict(correct)}`);
    reportResult({
      bench: "call-events",
      path: `call events, ${clients} clients`,
      figure: ingestRps,
      unit: "req/s",
      ceiling: { name: `trivial route; bare node:http ${bareRps.toFixed(0)}/s; PG commits ${commitCeiling.toFixed(0)}/s`, figure: baseline, unit: "req/s" },
      ratio,
      p50: pct(ingestRun.latencies, 50),
      p99,
      target: "≥ 60% of trivial, p99 ≤ 30 ms",
      pass: ratio >= 0.6 && p99 <= 30,
    });
    reportResult({ bench: "call-events", path: "call-event publish lag, saturated", figure: lagP99, unit: "ms p99", p50: pct(satLags, 50), p99: lagP99, target: "p99 < 1 s", pass: lagP99 < 1000 });
    reportResult({ bench: "call-events", path: `call-event publish lag, ${pacedRate}/s`, figure: pacedLagP99, unit: "ms p99", p50: pct(pacedLags, 50), p99: pacedLagP99, target: "p99 < 250 ms", pass: pacedLagP99 < 250 });
    reportResult({ bench: "call-events", path: "call events: on queue once each", figure: consumed, unit: `of ${acceptedAt.size.toLocaleString("en-US")}`, target: "all, no duplicates", pass: correct });
  } finally {
    await stop();
    await ch.deleteQueue(queue).catch(() => {});
    await conn.close().catch(() => {});
    agent.destroy();
    await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
