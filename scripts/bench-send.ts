// `npm run bench:send`: accepted sends/s and p50/p99 latency of POST /api/v1/messages at 1, 10
// and 50 concurrent clients against the production server (`tsx scripts/start.ts` on the
// existing `next build`, real Postgres), the trivial route of the same build in the same run as
// the framework's ceiling, and the batch endpoint's accepted messages/s.
//
//   BENCH_SECONDS (default 8, 3 with BENCH_QUICK=1)  seconds per measurement
//   BENCH_WEB_CONCURRENCY (default 1)  web processes, e.g. "1,2" compares one and two
//   BENCH_BATCH_CLIENTS (default 4)    concurrent batch clients (1,000 messages each call)
//   PORT (default 3918)
//   BENCH_CPU_PROF=<dir>               the server writes a CPU profile (.cpuprofile) there on exit
//
// The per-key API rate limit is lifted for the server under test (HERALD_API_RATE_LIMIT_*), and
// delivery workers are off (HERALD_IN_PROCESS_WORKERS=false): this measures accepting, not sending.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { eq, sql } from "drizzle-orm";
import { closeDb, getDb } from "@/db";
import { messages } from "@/db/schema";
import { createApiKey } from "@/lib/auth/api-keys";
import { createTestDatabase } from "@/lib/server/test-database";
import { systemContext } from "@/lib/tenancy/context";
import { createTenant } from "@/lib/tenants/create-tenant";
import { makeConfig } from "@/lib/test/provider-configs";
import { quick, reportResult, verdict } from "./bench-result";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// The configs below name a loopback API base URL (never called: workers are off).
process.env.HERALD_PROVIDER_URL_ALLOW_HOSTS ??= "127.0.0.1,localhost";
const seconds = Number(process.env.BENCH_SECONDS ?? (quick ? 3 : 8));
const port = Number(process.env.PORT ?? 3918);
const webConcurrencies = (process.env.BENCH_WEB_CONCURRENCY ?? "1").split(",").map((s) => Math.max(1, Number(s.trim()) || 1));
const batchClients = Number(process.env.BENCH_BATCH_CLIENTS ?? 4);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

interface Res {
  status: number;
  text: string;
}

function call(method: string, p: string, body?: string, headers: Record<string, string> = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const h: Record<string, string | number> = { ...headers };
    if (body !== undefined) {
      h["content-type"] = "application/json";
      h["content-length"] = Buffer.byteLength(body);
    }
    const req = http.request({ host: "127.0.0.1", port, method, path: p, agent, headers: h }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const pct = (sorted: number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);

interface Run {
  accepted: number;
  items: number;
  statuses: Map<number, number>;
  latencies: number[];
  elapsedS: number;
  failures: number;
}

type Next = (client: number, i: number) => { method: string; path: string; body?: string; headers?: Record<string, string> };

/** Every accepted item across all runs (warm-ups included): each must be exactly one stored message. */
let acceptedItems = 0;

/** `clients` closed loops: each sends its next request when the previous one has answered. */
async function load(clients: number, durationS: number, next: Next, countItems?: (r: Res) => number): Promise<Run> {
  const run: Run = { accepted: 0, items: 0, statuses: new Map(), latencies: [], elapsedS: 0, failures: 0 };
  const started = performance.now();
  const deadline = started + durationS * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const r = next(c, i);
        const t0 = performance.now();
        try {
          const res = await call(r.method, r.path, r.body, r.headers);
          run.statuses.set(res.status, (run.statuses.get(res.status) ?? 0) + 1);
          if (res.status >= 200 && res.status < 300) {
            run.accepted++;
            const n = countItems ? countItems(res) : 1;
            run.items += n;
            if (r.path.startsWith("/api/v1/")) acceptedItems += n;
            run.latencies.push(performance.now() - t0);
          }
        } catch {
          run.failures++;
        }
      }
    }),
  );
  run.elapsedS = (performance.now() - started) / 1000;
  run.latencies.sort((a, b) => a - b);
  return run;
}

function line(name: string, r: Run, unit = "req/s") {
  const rate = r.items / r.elapsedS;
  const statuses = [...r.statuses].map(([s, n]) => `${s}:${n}`).join(" ");
  console.log(
    `  ${name.padEnd(28)} ${rate.toFixed(0).padStart(7)} ${unit.padEnd(10)} p50 ${pct(r.latencies, 50).toFixed(1).padStart(6)} ms  p99 ${pct(r.latencies, 99).toFixed(1).padStart(6)} ms  [${statuses}${r.failures ? ` conn-errors:${r.failures}` : ""}]`,
  );
  return rate;
}

const fiveXX = (r: Run) => [...r.statuses].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0) + r.failures;

async function waitForServer(child: ChildProcess) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode}`);
    try {
      if ((await call("GET", "/api/bench/noop")).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("the server did not become ready within 120 s");
}

async function startServer(env: NodeJS.ProcessEnv, webConcurrency: number) {
  // BENCH_CPU_PROF=<dir>: the server writes a V8 CPU profile there when it stops (where the time goes).
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...profile, "--import", "tsx", "scripts/start.ts"], {
    cwd: root,
    env: {
      ...env,
      PORT: String(port),
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      HERALD_WEB_CONCURRENCY: String(webConcurrency),
      HERALD_IN_PROCESS_WORKERS: "false",
      HERALD_API_RATE_LIMIT_PER_SECOND: "1000000",
      HERALD_API_RATE_LIMIT_BURST: "1000000",
      HERALD_SEED_DEMO: "false",
    },
    stdio: ["ignore", process.env.BENCH_SERVER_LOG ? "inherit" : "ignore", "inherit"],
    detached: true,
  });
  await waitForServer(child);
  const stop = async () => {
    // The group may already be gone (the server exits on SIGTERM); that's fine.
    const kill = (sig: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, sig);
      } catch {
        // no such process group
      }
    };
    if (child.exitCode === null && child.pid) {
      kill("SIGTERM");
      for (let i = 0; i < 75 && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 200));
      if (child.exitCode === null) kill("SIGKILL");
    }
  };
  return { stop, pid: child.pid! };
}

/**
 * CPU seconds (user + system, all threads) the server process has used: per-request CPU is what
 * a change to the accept path moves, and unlike throughput it barely depends on what else runs
 * on a shared machine. Linux only (undefined elsewhere).
 */
function cpuSeconds(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

async function main() {
  if (!existsSync(path.join(root, ".next", "BUILD_ID"))) {
    console.error("No production build: run `npx next build` first (this benchmark measures the built server).");
    process.exit(2);
  }
  process.env.HERALD_MASTER_KEY ??= randomBytes(32).toString("base64");
  const db = await createTestDatabase();
  process.env.DATABASE_URL = db.url;
  const tenant = await createTenant({ slug: `bench-${randomBytes(3).toString("hex")}`, name: "Bench" });
  const ctx = systemContext(tenant, "bench");
  const { key } = await createApiKey(ctx, { name: "bench", scopes: ["messages:send", "messages:read"] });
  await makeConfig(ctx, "elks");
  await makeConfig(ctx, "twilio");
  await makeConfig(ctx, "sendgrid");
  await closeDb();

  const auth = { authorization: `Bearer ${key}` };
  const runId = randomBytes(3).toString("hex");
  const noop: Next = () => ({ method: "POST", path: "/api/bench/noop", body: "{}" });
  const sms = (tag: string): Next => (c, i) => ({
    method: "POST",
    path: "/api/v1/messages",
    body: JSON.stringify({ channel: "sms", to: `+4670${String(1_000_000 + ((c * 7919 + i) % 8_999_999))}`, body: `Your code is ${i % 10000}. Valid 10 minutes.`, action_id: `act_${c}_${i}` }),
    headers: { ...auth, "idempotency-key": `${runId}-${tag}-${c}-${i}` },
  });
  const batchBody = (tag: string, c: number, i: number) =>
    JSON.stringify({
      messages: Array.from({ length: 1000 }, (_, j) => ({
        channel: j % 2 ? "sms" : "email",
        ...(j % 2
          ? { to: `+4670${String(1_000_000 + j)}`, body: `Reminder ${j}: the tournament starts at 10:00.` }
          : { to: [{ email: `player${j}@example.com` }], subject: "Reminder", body_text: "The tournament starts at 10:00." }),
        idempotency_key: `${runId}-${tag}-${c}-${i}-${j}`,
      })),
    });
  const batch = (tag: string): Next => (c, i) => ({ method: "POST", path: "/api/v1/messages/batch", body: batchBody(tag, c, i), headers: auth });
  const batchItems = (r: Res) => (JSON.parse(r.text) as { accepted: number }).accepted;

  try {
    for (const web of webConcurrencies) {
      const { stop, pid } = await startServer(process.env, web);
      /** Server CPU milliseconds per answered request over one measurement (web ×1 only: workers are other pids). */
      const measured = async (run: () => Promise<Run>) => {
        const before = cpuSeconds(pid);
        const r = await run();
        const after = cpuSeconds(pid);
        const cpuMs = web === 1 && before !== undefined && after !== undefined && r.accepted > 0 ? ((after - before) * 1000) / r.accepted : undefined;
        return { r, cpuMs };
      };
      try {
        const tag = `w${web}`;
        // Warm up: JIT, route compilation caches, connection pools.
        await load(10, 2, noop);
        await load(10, 3, sms(`${tag}-warm`));
        await load(1, 2, batch(`${tag}-warm`), batchItems);

        console.log(`\nbench:send — HERALD_WEB_CONCURRENCY=${web}, ${seconds} s per measurement, ${os.cpus().length} cores`);
        const trivialRun = await measured(() => load(10, seconds, noop));
        const ceil10 = line("trivial route, 10 clients", trivialRun.r);
        const ceil50 = line("trivial route, 50 clients", await load(50, seconds, noop));
        const s1 = await load(1, seconds, sms(`${tag}-c1`));
        line("send, 1 client", s1, "sends/s");
        const sendRun = await measured(() => load(10, seconds, sms(`${tag}-c10`)));
        const s10 = sendRun.r;
        const r10 = line("send, 10 clients", s10, "sends/s");
        const s50 = await load(50, seconds, sms(`${tag}-c50`));
        const r50 = line("send, 50 clients", s50, "sends/s");
        const b = await load(batchClients, seconds, batch(`${tag}-b`), batchItems);
        const rb = line(`batch ×1000, ${batchClients} clients`, b, "msgs/s");

        if (sendRun.cpuMs !== undefined && trivialRun.cpuMs !== undefined) {
          console.log(`  server CPU per request (10 clients): send ${sendRun.cpuMs.toFixed(2)} ms, trivial route ${trivialRun.cpuMs.toFixed(2)} ms`);
        }
        // Targets of issue 23, each beside its ceiling from this run.
        const bench = `send${webConcurrencies.length > 1 ? ` (web ×${web})` : ""}`;
        const trivial10 = { name: "trivial route, 10 clients", figure: ceil10, unit: "req/s" };
        const trivial50 = { name: "trivial route, 50 clients", figure: ceil50, unit: "req/s" };
        const p99of = (r: Run) => pct(r.latencies, 99);
        const p50of = (r: Run) => pct(r.latencies, 50);
        reportResult({ bench, path: "single send, 10 clients", figure: r10, unit: "sends/s", ceiling: trivial10, ratio: r10 / ceil10, p50: p50of(s10), p99: p99of(s10), target: "≥ 60% of trivial, p99 ≤ 30 ms", pass: r10 / ceil10 >= 0.6 && p99of(s10) <= 30 });
        if (sendRun.cpuMs !== undefined && trivialRun.cpuMs !== undefined) {
          // Informational: the figure A/B comparisons of the accept path use on a shared machine.
          reportResult({ bench, path: "server CPU per single send", figure: sendRun.cpuMs, unit: "ms", ceiling: { name: "trivial route", figure: trivialRun.cpuMs, unit: "ms" }, target: "(info)", pass: true });
        }
        reportResult({ bench, path: "single send, 50 clients", figure: r50, unit: "sends/s", ceiling: trivial50, ratio: r50 / ceil50, p50: p50of(s50), p99: p99of(s50), target: "≥ 60% of trivial", pass: r50 / ceil50 >= 0.6 });
        reportResult({ bench, path: `batch ×1000, ${batchClients} clients`, figure: rb, unit: "msgs/s", p50: p50of(b), p99: p99of(b), target: "≥ 25,000 msgs/s", pass: rb >= 25_000 });
        const errs = fiveXX(s1) + fiveXX(s10) + fiveXX(s50) + fiveXX(b);
        reportResult({ bench, path: "send: no 5xx at saturation", figure: errs, unit: "5xx", target: "0", pass: errs === 0 });
        console.log(`  targets (issue 23)`);
        console.log(`    sends ≥ 60% of the trivial route (10 clients): ${((r10 / ceil10) * 100).toFixed(0)}%  ${verdict(r10 / ceil10 >= 0.6)}`);
        console.log(`    sends ≥ 60% of the trivial route (50 clients): ${((r50 / ceil50) * 100).toFixed(0)}%  ${verdict(r50 / ceil50 >= 0.6)}`);
        console.log(`    p99 ≤ 30 ms at 10 clients: ${p99of(s10).toFixed(1)} ms  ${verdict(p99of(s10) <= 30)}`);
        console.log(`    no 5xx at saturation: ${errs} 5xx/connection errors  ${verdict(errs === 0)}`);
        console.log(`    batch ≥ 25,000 accepted messages/s: ${rb.toFixed(0)}  ${verdict(rb >= 25_000)}`);
      } finally {
        await stop();
      }
    }
    // Correctness: every accepted send (unique idempotency keys) is exactly one stored message.
    process.env.DATABASE_URL = db.url;
    const [stored] = await getDb()
      .select({ n: sql<number>`count(*)::int` })
      .from(messages)
      .where(eq(messages.tenantId, tenant.id));
    await closeDb();
    const ok = stored!.n === acceptedItems;
    console.log(`  every accepted message stored once: ${stored!.n}/${acceptedItems}  ${verdict(ok)}`);
    reportResult({ bench: "send", path: "send: accepted = stored, once each", figure: stored!.n, unit: `of ${acceptedItems.toLocaleString("en-US")}`, target: "equal", pass: ok });
  } finally {
    agent.destroy();
    await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
