// The same contract on both stores — Postgres (this file's database) and Redis (the local server,
// under a prefix of this run's own) — and the Redis store's fallback to Postgres.
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { sendRateBuckets } from "@/db/schema";
import { createPostgresStore } from "./postgres-store";
import { createRedisStore } from "./redis-store";
import type { LimiterStore } from "./store";

const redisUrl = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `herald-test-${randomBytes(4).toString("hex")}:`;
const postgres = createPostgresStore();
const redis = createRedisStore({ url: redisUrl, prefix, fallback: postgres });
// Nothing listens on port 1: every Redis call fails at once and lands on Postgres.
const unreachable = createRedisStore({ url: "redis://127.0.0.1:1", prefix, fallback: postgres, timeoutMs: 200 });

// Calls made while it connects would take the Postgres fallback: these tests are about Redis.
beforeAll(async () => {
  expect(await redis.ready).toBe(true);
});

afterAll(async () => {
  await redis.close();
  await unreachable.close();
  // The shared server keeps nothing of this run.
  const admin = new Redis(redisUrl);
  const keys = await admin.keys(`${prefix}*`);
  if (keys.length > 0) await admin.del(...keys);
  await admin.quit();
});

const stores: [string, LimiterStore][] = [
  ["postgres", postgres],
  ["redis", redis],
];

describe.each(stores)("%s store", (_name, store) => {
  const key = () => `test:${randomBytes(6).toString("hex")}`;

  it("starts a bucket full, grants what it holds (partially), and says when the next token comes", async () => {
    const k = key();
    expect(await store.takeTokens({ key: k, rate: 1, burst: 5, want: 3 })).toMatchObject({ granted: 3, waitMs: 0 });
    const short = await store.takeTokens({ key: k, rate: 1, burst: 5, want: 4 });
    expect(short.granted).toBe(2);
    expect(short.waitMs).toBeGreaterThan(0);
    expect(short.waitMs).toBeLessThanOrEqual(1000);
    const none = await store.takeTokens({ key: k, rate: 1, burst: 5, want: 1 });
    expect(none.granted).toBe(0);
    expect(none.waitMs).toBeGreaterThan(0);
  });

  it("refills at the rate, never beyond the burst", async () => {
    const k = key();
    expect((await store.takeTokens({ key: k, rate: 50, burst: 10, want: 10 })).granted).toBe(10);
    // At 50/s, 200 ms bring ~10 tokens back; waiting on the bucket's own clock.
    let granted = 0;
    const started = Date.now();
    while (Date.now() - started < 5_000) {
      const r = await store.takeTokens({ key: k, rate: 50, burst: 10, want: 100 });
      granted += r.granted;
      if (granted >= 10) break;
      await new Promise((res) => setTimeout(res, Math.max(5, r.waitMs)));
    }
    expect(granted).toBeGreaterThanOrEqual(10);
    const idle = key();
    expect((await store.takeTokens({ key: idle, rate: 1000, burst: 3, want: 100 })).granted).toBe(3);
  });

  it("reserves one token ahead when the caller may wait for it (provider send rates)", async () => {
    const k = key();
    expect((await store.takeTokens({ key: k, rate: 2, burst: 1, want: 1, debtSeconds: 1 })).granted).toBe(1);
    const reserved = await store.takeTokens({ key: k, rate: 2, burst: 1, want: 1, debtSeconds: 1 });
    expect(reserved.granted).toBe(1);
    expect(reserved.waitMs).toBeGreaterThan(0);
    expect(reserved.waitMs).toBeLessThanOrEqual(500);
    // Two reservations deep is more than a second ahead at 2/s: refused.
    await store.takeTokens({ key: k, rate: 2, burst: 1, want: 1, debtSeconds: 1 });
    const refused = await store.takeTokens({ key: k, rate: 2, burst: 1, want: 1, debtSeconds: 1 });
    expect(refused.granted).toBe(0);
  });

  it("never grants more than the bucket holds to concurrent takers", async () => {
    const k = key();
    const takes = await Promise.all(Array.from({ length: 40 }, () => store.takeTokens({ key: k, rate: 0.001, burst: 25, want: 1 })));
    expect(takes.reduce((n, t) => n + t.granted, 0)).toBe(25);
  });

  it("counts fixed windows: hit, peek, clear", async () => {
    const k = key();
    expect(await store.peekWindow({ key: k, windowSeconds: 60 })).toBeUndefined();
    const hits = await Promise.all(Array.from({ length: 5 }, () => store.hitWindow({ key: k, windowSeconds: 60 })));
    expect(hits.map((h) => h.count).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
    const peek = await store.peekWindow({ key: k, windowSeconds: 60 });
    expect(peek?.count).toBe(5);
    expect(Math.abs(peek!.windowStart.getTime() - Date.now())).toBeLessThan(10_000);
    await store.clearWindow({ key: k });
    expect(await store.peekWindow({ key: k, windowSeconds: 60 })).toBeUndefined();
  });

  it("answers its health check", async () => {
    expect(await store.ping()).toEqual({ ok: true });
  });
});

describe("redis store", () => {
  it("keeps its buckets and windows in Redis, under its prefix, with an expiry", async () => {
    const k = `test:${randomBytes(6).toString("hex")}`;
    await redis.takeTokens({ key: k, rate: 10, burst: 10, want: 4 });
    await redis.hitWindow({ key: `${k}:w`, windowSeconds: 60 });
    const admin = new Redis(redisUrl);
    try {
      expect(await admin.exists(`${prefix}rl:${k}`, `${prefix}rl:${k}:w`)).toBe(2);
      // Full again after 0.4 s of refill: it expires then (plus a second of slack).
      expect(await admin.pttl(`${prefix}rl:${k}`)).toBeLessThanOrEqual(1_400);
      expect(await admin.pttl(`${prefix}rl:${k}:w`)).toBeGreaterThan(55_000);
    } finally {
      await admin.quit();
    }
    const [row] = await getDb().select().from(sendRateBuckets).where(eq(sendRateBuckets.key, k));
    expect(row).toBeUndefined();
  });
});

describe("redis store without Redis", () => {
  it("keeps limiting through the Postgres store, and its health check says so", async () => {
    const k = `test:${randomBytes(6).toString("hex")}`;
    expect((await unreachable.takeTokens({ key: k, rate: 0.001, burst: 2, want: 5 })).granted).toBe(2);
    // The same bucket, read through Postgres directly: the fallback is shared by every process.
    expect((await postgres.takeTokens({ key: k, rate: 0.001, burst: 2, want: 1 })).granted).toBe(0);
    expect((await unreachable.hitWindow({ key: k, windowSeconds: 60 })).count).toBe(1);
    const health = await unreachable.ping();
    expect(health.ok).toBe(false);
    expect(health.detail).toContain("fall back to Postgres");
  });
});
