// The per-key request limit as several processes see it: each limiter below has its own leases,
// as each web process has, and they share one store (Postgres, or Redis under this run's prefix).
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresStore } from "./postgres-store";
import { createRedisStore } from "./redis-store";
import { SharedRequestLimiter, type RequestRate } from "./request-limiter";
import type { LimiterStore, TokenTake } from "./store";

const redisUrl = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `herald-test-${randomBytes(4).toString("hex")}:`;
const postgres = createPostgresStore();
const redis = createRedisStore({ url: redisUrl, prefix, fallback: postgres });

// Calls made while it connects would take the Postgres fallback: these tests are about Redis.
beforeAll(async () => {
  expect(await redis.ready).toBe(true);
});

afterAll(async () => {
  await redis.close();
  const admin = new Redis(redisUrl);
  const keys = await admin.keys(`${prefix}*`);
  if (keys.length > 0) await admin.del(...keys);
  await admin.quit();
});

/** The real store, counting its round trips. */
function counted(store: LimiterStore) {
  const calls: TokenTake[] = [];
  const wrapped: LimiterStore = { ...store, takeTokens: (t) => (calls.push(t), store.takeTokens(t)) };
  return { store: async () => wrapped, calls };
}

/**
 * `processes` limiters on one key, each driven by `clients` closed loops for `seconds`; a refused
 * client waits a little (as a client honouring Retry-After would) so nothing spins. Returns the
 * sustained rate, measured from half a second after the first refusal (the burst is spent by
 * then) to the end, and the total against what the bucket can ever allow (burst + rate × time).
 */
async function hammer(store: LimiterStore, rate: RequestRate, opts: { processes: number; clients: number; seconds: number }) {
  const key = randomBytes(6).toString("hex");
  const limiters = Array.from({ length: opts.processes }, () => new SharedRequestLimiter("test", rate, { store: async () => store }));
  const allowedAt: number[] = [];
  let firstRefusal = Infinity;
  const started = performance.now();
  const until = started + opts.seconds * 1000;
  await Promise.all(
    limiters.flatMap((limiter) =>
      Array.from({ length: opts.clients }, async () => {
        while (performance.now() < until) {
          const wait = await limiter.take(key);
          const at = performance.now();
          if (wait === 0) allowedAt.push(at);
          else {
            firstRefusal = Math.min(firstRefusal, at);
            await new Promise((r) => setTimeout(r, Math.min(20, Math.max(2, wait * 1000))));
          }
        }
      }),
    ),
  );
  const ended = performance.now();
  const from = firstRefusal + 500;
  const sustained = allowedAt.filter((t) => t >= from && t <= until).length / ((until - from) / 1000);
  return { sustained, total: allowedAt.length, ceiling: rate.burst + (rate.ratePerSecond * (ended - started)) / 1000 };
}

describe.each([
  ["postgres", postgres],
  ["redis", redis],
] as const)("SharedRequestLimiter on the %s store", (_name, store) => {
  it("holds one limit across four processes within 10 %", { timeout: 30_000 }, async () => {
    const rate = { ratePerSecond: 200, burst: 20 };
    const { sustained, total, ceiling } = await hammer(store, rate, { processes: 4, clients: 4, seconds: 3 });
    console.log(`${_name}: sustained ${sustained.toFixed(1)}/s, total ${total} ≤ ${ceiling.toFixed(0)}`);
    expect(total).toBeLessThanOrEqual(ceiling);
    expect(sustained).toBeGreaterThanOrEqual(rate.ratePerSecond * 0.9);
    expect(sustained).toBeLessThanOrEqual(rate.ratePerSecond * 1.1);
  });
});

describe("SharedRequestLimiter leases", () => {
  it("asks the store once per lease, not once per request, and never lets more through than it took", async () => {
    const { store, calls } = counted(postgres);
    const limiter = new SharedRequestLimiter("test", { ratePerSecond: 500, burst: 1000 }, { store, leaseMs: 50 });
    expect(limiter.leaseSize).toBe(25);
    const key = randomBytes(6).toString("hex");
    for (let i = 0; i < 100; i++) expect(await limiter.take(key)).toBe(0);
    expect(calls.length).toBe(4);
    expect(calls.every((c) => c.want === 25)).toBe(true);
  });

  it("takes one store round trip for a burst of concurrent requests, sized to the burst", async () => {
    const { store, calls } = counted(postgres);
    const limiter = new SharedRequestLimiter("test", { ratePerSecond: 500, burst: 1000 }, { store, leaseMs: 50 });
    const key = randomBytes(6).toString("hex");
    const waits = await Promise.all(Array.from({ length: 60 }, () => limiter.take(key)));
    expect(waits.every((w) => w === 0)).toBe(true);
    expect(calls.length).toBeLessThanOrEqual(3);
  });

  it("refuses locally while the shared bucket is empty, then asks again", async () => {
    const { store, calls } = counted(postgres);
    let now = 1_000_000;
    const limiter = new SharedRequestLimiter("test", { ratePerSecond: 1, burst: 2 }, { store, leaseMs: 50, now: () => now });
    const key = randomBytes(6).toString("hex");
    expect(await limiter.take(key)).toBe(0);
    expect(await limiter.take(key)).toBe(0);
    const wait = await limiter.take(key);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(1);
    const asked = calls.length;
    expect(await limiter.take(key)).toBeGreaterThan(0);
    expect(calls.length).toBe(asked);
    now += wait * 1000 + 1;
    await limiter.take(key);
    expect(calls.length).toBe(asked + 1);
  });

  it("drops unspent leased tokens after the lease time, so a quiet process cannot hoard a burst", async () => {
    let now = 1_000_000;
    const { store, calls } = counted(postgres);
    const limiter = new SharedRequestLimiter("test", { ratePerSecond: 1000, burst: 1000 }, { store, leaseMs: 50, now: () => now });
    const key = randomBytes(6).toString("hex");
    expect(await limiter.take(key)).toBe(0);
    now += 10;
    expect(await limiter.take(key)).toBe(0);
    expect(calls.length).toBe(1);
    now += 41;
    expect(await limiter.take(key)).toBe(0);
    expect(calls.length).toBe(2);
  });

  it("keeps at most maxKeys leases however many addresses call, and still limits a busy one", async () => {
    const limiter = new SharedRequestLimiter("test", { ratePerSecond: 0.001, burst: 2 }, { store: async () => postgres, maxKeys: 50, leaseMs: 0 });
    const run = randomBytes(3).toString("hex");
    for (let i = 0; i < 300; i++) await limiter.take(`${run}-10.0.${i >> 8}.${i & 255}`);
    expect(limiter.size).toBe(50);
    const busy = `${run}-198.51.100.7`;
    expect(await limiter.take(busy)).toBe(0);
    expect(await limiter.take(busy)).toBe(0);
    expect(await limiter.take(busy)).toBeGreaterThan(0);
    expect(limiter.size).toBe(50);
  });
});
