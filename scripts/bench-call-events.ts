// `npm run bench:call-events`: ingest throughput and latency of POST /api/call-events against the
// production server (`npm start` on the existing `next build`), real Postgres and RabbitMQ, with
// publishing running; the throughput of a trivial route of the same build in the same run; and
// the publish lag (202 received → message on the queue). Prints figures and the targets.
//
//   BENCH_SECONDS (default 10)  BENCH_CLIENTS (default 10)  PORT (default 3917)
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

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const clients = Number(process.env.BENCH_CLIENTS ?? 10);
const port = Number(process.env.PORT ?? 3917);
const rabbitUrl = process.env.RABBITMQ_URL ?? DEFAULT_RABBITMQ_URL;
const queue = `bench-call-events-${randomBytes(4).toString("hex")}`;
const agent = new http.Agent({ keepAlive: true, maxSockets: clients });

function request(method: string, p: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, method, path: p, agent, headers: body ? { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers } : headers },
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
async function load(durationS: number, next: (client: number, i: number) => { method: string; path: string; body?: string; headers?: Record<string, string> }, onAccepted?: (client: number, i: number, at: number) => void): Promise<Run> {
  const run: Run = { ok: 0, errors: 0, statuses: new Map(), latencies: [], elapsedS: 0 };
  const started = performance.now();
  const deadline = started + durationS * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const r = next(c, i);
        const t0 = performance.now();
        try {
          const res = await request(r.method, r.path, r.body, r.headers);
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

    // Warm both routes (JIT, connection pools, the broker connection).
    await load(2, noop);
    await load(2, ingest("warm-"));

    // Publish lag: 202 received → consumed from the queue.
    const acceptedAt = new Map<string, number>();
    const lags: number[] = [];
    let consumed = 0;
    const seen = new Set<string>();
    let duplicates = 0;
    await ch.consume(queue, (m) => {
      if (!m) return;
      const now = Date.now();
      const body = JSON.parse(m.content.toString()) as { call_id: string; event_type: string; event_id: string };
      if (seen.has(body.event_id)) duplicates++;
      seen.add(body.event_id);
      const key = `${body.call_id}|${body.event_type}`;
      const at = acceptedAt.get(key);
      if (at !== undefined) {
        lags.push(Math.max(0, now - at));
        consumed++;
      }
      ch.ack(m);
    });

    console.log(`\nbench:call-events — ${clients} clients, ${seconds} s per route, queue ${queue}\n`);
    const baseline = summary("trivial route", await load(seconds, noop));
    const ingestRun = await load(seconds, ingest(""), (c, i) => {
      const e = event(c, i);
      acceptedAt.set(`${e.call_id}|${e.event_type}`, Date.now());
    });
    const ingestRps = summary("POST /api/call-events", ingestRun);

    const deadline = Date.now() + 60_000;
    while (consumed < acceptedAt.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    lags.sort((a, b) => a - b);
    console.log(
      `publish lag            p50 ${pct(lags, 50).toFixed(0)} ms   p99 ${pct(lags, 99).toFixed(0)} ms   max ${lags.at(-1) ?? NaN} ms   ` +
        `on queue ${consumed}/${acceptedAt.size}  duplicates ${duplicates}`,
    );

    const ratio = ingestRps / baseline;
    const p99 = pct(ingestRun.latencies, 99);
    const lagP99 = pct(lags, 99);
    const verdict = (ok: boolean) => (ok ? "PASS" : "FAIL");
    console.log(`\ntargets`);
    console.log(`  throughput ≥ 50% of trivial route: ${(ratio * 100).toFixed(0)}%  ${verdict(ratio >= 0.5)}`);
    console.log(`  p99 ≤ 50 ms at ${clients} clients:        ${p99.toFixed(1)} ms  ${verdict(p99 <= 50)}`);
    console.log(`  publish lag p99 < 1 s:            ${lagP99.toFixed(0)} ms  ${verdict(lagP99 < 1000)}`);
    console.log(`  every accepted event on the queue once: ${consumed}/${acceptedAt.size}, ${duplicates} duplicates  ${verdict(consumed === acceptedAt.size && duplicates === 0)}`);
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
