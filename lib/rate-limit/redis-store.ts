import { Redis } from "ioredis";
import { logger } from "@/lib/logger";
import { grantOf, type LimiterStore, type TokenTake } from "./store";

// The same token bucket as herald_take_tokens() in Postgres, on Redis' clock. The key expires
// when the bucket would be full again, so idle buckets cost nothing.
const TAKE_TOKENS = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local debt = tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 't', 'at')
local avail = burst
local at = now
if b[1] then
  at = math.max(tonumber(b[2]), now)
  avail = math.min(burst, tonumber(b[1]) + (at - tonumber(b[2])) / 1000 * rate)
end
local granted = math.max(0, math.min(want, math.floor(avail)))
if granted == 0 and debt > 0 and avail - 1 >= -rate * debt then granted = 1 end
local left = avail - granted
redis.call('HSET', KEYS[1], 't', tostring(left), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - left) / rate * 1000) + 1000)
return {granted, tostring(left)}
`;

// A fixed window: the first hit opens it (and sets its expiry); the count and the ms left.
const HIT_WINDOW = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}
`;

type ScriptedRedis = Redis & {
  heraldTakeTokens(key: string, rate: number, burst: number, want: number, debt: number): Promise<[number, string]>;
  heraldHitWindow(key: string, windowMs: number): Promise<[number, number]>;
};

/** How often a Redis outage is logged while the Postgres fallback carries the limits. */
const OUTAGE_LOG_MS = 30_000;

export interface RedisLimiterStore extends LimiterStore {
  /** Settles once the first connection is up (true) or has failed or taken over 2 s (false). */
  readonly ready: Promise<boolean>;
}

/**
 * Rate limits in Redis (`REDIS_URL`), every key under `prefix`. While Redis is unreachable each
 * call falls back to `fallback` (the Postgres store), so limits stay fleet-wide — with separate
 * state: a bucket may allow up to one extra burst across the switch. Await `ready` before the
 * first use, or calls made while it connects take the fallback too.
 */
export function createRedisStore(opts: { url: string; prefix: string; fallback: LimiterStore; timeoutMs?: number }): RedisLimiterStore {
  const redis = new Redis(opts.url, {
    keyPrefix: opts.prefix,
    // Fail fast into the fallback instead of queueing requests behind a dead connection.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: opts.timeoutMs ?? 500,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  }) as ScriptedRedis;
  redis.defineCommand("heraldTakeTokens", { numberOfKeys: 1, lua: TAKE_TOKENS });
  redis.defineCommand("heraldHitWindow", { numberOfKeys: 1, lua: HIT_WINDOW });
  let lastOutageLog = 0;
  redis.on("error", () => {
    // Reported through `fallback` below (and /api/health); ioredis reconnects by itself.
  });
  const ready = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 2_000);
    redis.once("ready", () => (clearTimeout(timer), resolve(true)));
    redis.once("end", () => (clearTimeout(timer), resolve(false)));
  });

  async function orFallback<T>(what: string, run: () => Promise<T>, fallback: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      const now = Date.now();
      if (now - lastOutageLog > OUTAGE_LOG_MS) {
        lastOutageLog = now;
        logger.warn({ err: err instanceof Error ? err.message : String(err), what }, "Redis is unreachable: rate limits fall back to Postgres");
      }
      return fallback();
    }
  }

  const key = (k: string) => `rl:${k}`;
  return {
    kind: "redis",
    ready,
    takeTokens: (take: TokenTake) =>
      orFallback(
        "takeTokens",
        async () => {
          const [granted, left] = await redis.heraldTakeTokens(key(take.key), take.rate, take.burst, take.want, take.debtSeconds ?? 0);
          return grantOf(take, Number(granted), Number(left));
        },
        () => opts.fallback.takeTokens(take),
      ),
    hitWindow: (input) =>
      orFallback(
        "hitWindow",
        async () => {
          const windowMs = Math.ceil(input.windowSeconds * 1000);
          const [count, ttl] = await redis.heraldHitWindow(key(input.key), windowMs);
          return { count: Number(count), windowStart: new Date(Date.now() - (windowMs - Math.max(0, Number(ttl)))) };
        },
        () => opts.fallback.hitWindow(input),
      ),
    peekWindow: (input) =>
      orFallback(
        "peekWindow",
        async () => {
          const [[, count], [, ttl]] = (await redis.multi().get(key(input.key)).pttl(key(input.key)).exec()) as [[unknown, string | null], [unknown, number]];
          if (count === null || Number(ttl) <= 0) return undefined;
          return { count: Number(count), windowStart: new Date(Date.now() - (input.windowSeconds * 1000 - Number(ttl))) };
        },
        () => opts.fallback.peekWindow(input),
      ),
    clearWindow: (input) =>
      orFallback(
        "clearWindow",
        async () => {
          await redis.del(key(input.key));
        },
        () => opts.fallback.clearWindow(input),
      ),
    async ping() {
      try {
        await redis.ping();
        return { ok: true };
      } catch (err) {
        return { ok: false, detail: `${err instanceof Error ? err.message : String(err)} (limits fall back to Postgres)` };
      }
    },
    async close() {
      redis.disconnect();
    },
  };
}
