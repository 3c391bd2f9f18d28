// `npm run bench:rate-limit`: what the fleet-wide per-key limit costs a request, in process (no
// server): `BENCH_REQUESTS` (5,000) takes for one key through 1 and 16 concurrent callers, with
// leases (HERALD_RATE_LIMIT_LEASE_MS's default, 50) and without (one store round trip per
// request), on the Postgres store and on Redis (REDIS_URL or the local server, under a prefix of
// this run's own) — beside `select 1` / `PING`, one round trip doing nothing, as the ceiling.
// The limit is the default (500/s, burst 1000) lifted far enough that no take is refused.
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { Redis } from "ioredis";
import { closeDb, getDb } from "@/db";
import { createPostgresStore } from "@/lib/rate-limit/postgres-store";
import { createRedisStore } from "@/lib/rate-limit/redis-store";
import { SharedRequestLimiter } from "@/lib/rate-limit/request-limiter";
import type { LimiterStore } from "@/lib/rate-limit/store";
import { createTestDatabase } from "@/lib/server/test-database";

const N = Number(process.env.BENCH_REQUESTS ?? 5_000);
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `herald-bench-${randomBytes(4).toString("hex")}:`;

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** `n` calls of `fn` through `clients` concurrent loops: per-call latency p50/p99 and calls/s. */
async function measure(clients: number, n: number, fn: () => Promise<unknown>) {
  const latencies: number[] = [];
  let left = n;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (left-- > 0) {
        const t = performance.now();
        await fn();
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { p50: pct(latencies, 50), p99: pct(latencies, 99), perSecond: n / seconds };
}

function line(label: string, r: { p50: number; p99: number; perSecond: number }, extra = "") {
  console.log(`  ${label.padEnd(44)} ${r.perSecond.toFixed(0).padStart(7)} /s   p50 ${r.p50.toFixed(3).padStart(7)} ms   p99 ${r.p99.toFixed(3).padStart(7)} ms${extra}`);
}

async function bench(name: string, store: LimiterStore, ceiling: () => Promise<unknown>) {
  console.log(`\n${name}`);
  for (const clients of [1, 16]) {
    line(`ceiling (one empty round trip), ${clients} caller(s)`, await measure(clients, N, ceiling));
    for (const leaseMs of [50, 0]) {
      let trips = 0;
      const counted: LimiterStore = { ...store, takeTokens: (t) => (trips++, store.takeTokens(t)) };
      const limiter = new SharedRequestLimiter("bench", { ratePerSecond: 1_000_000, burst: 1_000_000 }, { store: async () => counted, leaseMs });
      const key = randomBytes(6).toString("hex");
      const r = await measure(clients, N, () => limiter.take(key));
      line(`per-key limit, lease ${leaseMs} ms, ${clients} caller(s)`, r, `   ${((trips / N) * 1000).toFixed(0)} store round trips per 1,000 requests`);
    }
  }
}

async function main() {
  const db = await createTestDatabase();
  process.env.DATABASE_URL = db.url;
  const redisStore = createRedisStore({ url: redisUrl, prefix, fallback: createPostgresStore() });
  const redis = new Redis(redisUrl);
  try {
    if (!(await redisStore.ready)) throw new Error(`Redis at ${redisUrl} is not reachable`);
    console.log(`bench:rate-limit — ${N} requests per line (machine load shows in the ceiling lines: compare within a block)`);
    await bench("Postgres store", createPostgresStore(), () => getDb().execute(sql`select 1`));
    await bench("Redis store", redisStore, () => redis.ping());
    // What bench:send runs with: the default limit of 500/s leases 25 tokens at a time.
    const limiter = new SharedRequestLimiter("bench", { ratePerSecond: 500, burst: 1000 }, { store: async () => createPostgresStore() });
    console.log(`\n  at the default limit (500/s, burst 1,000) a process leases ${limiter.leaseSize} tokens at a time`);
  } finally {
    await redisStore.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await closeDb();
    await db.drop();
  }
}

await main();
process.exit(0);
