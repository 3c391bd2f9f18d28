// `npm run bench:observability`: what metrics and Sentry cost on the request path.
// 1. In process: the cost of recording one request's HTTP metrics (route label, counter,
//    histogram) and one message outcome, in ns, beside an empty loop.
// 2. The same production build started three times at once on one fresh database — observability
//    off (the ceiling), Prometheus metrics on (HERALD_METRICS_TOKEN), metrics and Sentry on (a DSN
//    pointing at a local sink) — loaded in alternating one-second slices, so a machine whose load
//    drifts weighs on all three alike: an authenticated route (GET /api/v1/me: API key, tenant
//    context, Sentry scope) and a trivial one. Also times one /api/metrics scrape.
//
//   BENCH_SECONDS (default 8 per route and mode)  BENCH_CLIENTS (default 8)  PORT (default 3921, +1, +2)
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import http from "node:http";
import { closeDb } from "@/db";
import { createApiKey } from "@/lib/auth/api-keys";
import { countMessageOutcome } from "@/lib/metrics/record";
import { httpMetricsRecorder } from "@/lib/metrics/http-metrics";
import { listApiRoutes } from "@/lib/server/api-routes";
import { createTestDatabase } from "@/lib/server/test-database";
import { systemContext } from "@/lib/tenancy/context";
import { createTenant } from "@/lib/tenants/create-tenant";
import { httpRequest, pct, requireBuild, root, startServer } from "./bench-server";

process.env.HERALD_MASTER_KEY ??= randomBytes(32).toString("base64");
process.env.NEXTAUTH_SECRET ??= randomBytes(32).toString("base64");

const port = Number(process.env.PORT ?? 3921);
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const clients = Number(process.env.BENCH_CLIENTS ?? 8);
const token = randomBytes(16).toString("hex");

interface Figures {
  rps: number;
  p50: number;
  p99: number;
}

interface Tally {
  latencies: number[];
  ms: number;
}

/** One slice of load on one server; latencies and elapsed time add up into `tally`. */
async function slice(agent: http.Agent, serverPort: number, path: string, headers: Record<string, string>, durationS: number, tally: Tally): Promise<void> {
  const until = performance.now() + durationS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        const t0 = performance.now();
        const res = await httpRequest(agent, serverPort, "GET", path, undefined, headers);
        if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${res.text.slice(0, 200)}`);
        tally.latencies.push(performance.now() - t0);
      }
    }),
  );
  tally.ms += performance.now() - started;
}

function figures(t: Tally): Figures {
  const sorted = [...t.latencies].sort((a, b) => a - b);
  return { rps: sorted.length / (t.ms / 1000), p50: pct(sorted, 50), p99: pct(sorted, 99) };
}

/** ns per call of `fn`, best of five rounds (in process, no server). */
function nsPerCall(fn: (i: number) => void, n = 200_000): number {
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn(i);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / n);
  }
  return best;
}

function microbench() {
  process.env.HERALD_METRICS_TOKEN = token;
  const record = httpMetricsRecorder(listApiRoutes(root))!;
  const paths = ["/api/v1/messages", "/api/v1/messages/0b7a3c57-7a4e-4bb0-9d6c-7a3f61b0a1f2", "/api/webhooks/sendgrid/abc?token=x", "/settings"];
  const res = new EventEmitter() as EventEmitter & { statusCode: number };
  res.statusCode = 200;
  const empty = nsPerCall(() => undefined);
  const httpNs = nsPerCall((i) => {
    record({ url: paths[i & 3], method: "GET" } as never, res as never);
    res.emit("finish");
  });
  const outcome = nsPerCall((i) => countMessageOutcome(i & 1 ? "sent" : "failed", { channel: "email", provider: "sendgrid", code: "COMM_PROVIDER_UNAVAILABLE" }));
  console.log(`\nin process: empty loop ${empty.toFixed(0)} ns; one request's HTTP metrics ${httpNs.toFixed(0)} ns; one message outcome counted ${outcome.toFixed(0)} ns`);
  delete process.env.HERALD_METRICS_TOKEN;
}

async function main() {
  requireBuild();
  microbench();
  const db = await createTestDatabase();
  process.env.DATABASE_URL = db.url;
  // A Sentry ingest stand-in that accepts everything (no event is expected: nothing fails).
  const sink = http.createServer((req, res) => req.resume().on("end", () => res.writeHead(200).end("{}")));
  await new Promise<void>((r) => sink.listen(0, "127.0.0.1", r));
  const dsn = `http://benchkey@127.0.0.1:${(sink.address() as { port: number }).port}/1`;
  const modes = [
    { name: "observability off (ceiling)", port, env: { HERALD_METRICS_TOKEN: "", SENTRY_DSN: "" } },
    { name: "metrics on", port: port + 1, env: { HERALD_METRICS_TOKEN: token, SENTRY_DSN: "" } },
    { name: "metrics + Sentry on", port: port + 2, env: { HERALD_METRICS_TOKEN: token, SENTRY_DSN: dsn } },
  ];
  const servers: { stop(): Promise<void> }[] = [];
  const results: { name: string; me: Figures; noop: Figures; scrapeMs?: number }[] = [];
  try {
    const tenant = await createTenant({ slug: `bench-${randomBytes(3).toString("hex")}`, name: "Bench" });
    const key = (await createApiKey(systemContext(tenant), { name: "bench", scopes: ["messages:read"] })).key;
    const auth = { authorization: `Bearer ${key}` };
    const limits = { HERALD_API_RATE_LIMIT_PER_SECOND: "1000000", HERALD_API_RATE_LIMIT_BURST: "1000000" };
    for (const m of modes) servers.push(await startServer({ port: m.port, databaseUrl: db.url, env: { ...m.env, ...limits } }));
    const agents = modes.map(() => new http.Agent({ keepAlive: true, maxSockets: clients }));
    const tallies = modes.map(() => ({ me: { latencies: [], ms: 0 } as Tally, noop: { latencies: [], ms: 0 } as Tally }));
    // Warm-up: compile paths, fill pools.
    for (const [i, m] of modes.entries()) await slice(agents[i]!, m.port, "/api/v1/me", auth, 2, { latencies: [], ms: 0 });
    for (let s = 0; s < seconds; s++) {
      for (const [i, m] of modes.entries()) {
        await slice(agents[i]!, m.port, "/api/v1/me", auth, 1, tallies[i]!.me);
        await slice(agents[i]!, m.port, "/api/bench/noop", {}, 1, tallies[i]!.noop);
      }
    }
    for (const [i, m] of modes.entries()) {
      let scrapeMs: number | undefined;
      if (m.env.HERALD_METRICS_TOKEN) {
        const t0 = performance.now();
        const res = await httpRequest(agents[i]!, m.port, "GET", "/api/metrics", undefined, { authorization: `Bearer ${token}` });
        scrapeMs = performance.now() - t0;
        if (res.status !== 200 || !res.text.includes('herald_http_requests_total{route="/api/v1/me"')) throw new Error(`scrape failed: ${res.status}`);
      }
      results.push({ name: m.name, me: figures(tallies[i]!.me), noop: figures(tallies[i]!.noop), scrapeMs });
      agents[i]!.destroy();
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    sink.close();
    await closeDb();
    await db.drop();
  }
  const ceiling = results[0]!;
  console.log(`\n${clients} clients, ${seconds} s per route and mode in alternating 1 s slices (figures on a shared machine are pessimistic)\n`);
  console.log("mode                          GET /api/v1/me req/s  p50 ms  p99 ms | noop req/s  p50 ms  p99 ms | scrape ms");
  for (const r of results) {
    const f = (x: number) => x.toFixed(1).padStart(7);
    console.log(
      `${r.name.padEnd(30)}${r.me.rps.toFixed(0).padStart(20)} ${f(r.me.p50)} ${f(r.me.p99)} | ${r.noop.rps.toFixed(0).padStart(10)} ${f(r.noop.p50)} ${f(r.noop.p99)} | ${r.scrapeMs?.toFixed(1) ?? "—"}`,
    );
  }
  for (const r of results.slice(1)) {
    console.log(`${r.name}: ${((r.me.rps / ceiling.me.rps) * 100).toFixed(1)} % of the ceiling's authenticated throughput, ${((r.noop.rps / ceiling.noop.rps) * 100).toFixed(1)} % of its trivial-route throughput`);
  }
  console.log("target: metrics on within the run-to-run noise of the ceiling (±5 %); its in-process cost a few µs per request");
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
