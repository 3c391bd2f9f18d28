// The one store every fleet-wide rate limit goes through: Postgres by default, Redis when
// REDIS_URL is set (falling back to Postgres while Redis is unreachable). One per process, kept
// on globalThis so the Next bundle and the job engine share it (and its Redis connection).
import { logger } from "@/lib/logger";
import { createPostgresStore } from "./postgres-store";

export interface TokenTake {
  /** The bucket, e.g. `api-key:<id>`. */
  key: string;
  /** Tokens added per second. */
  rate: number;
  /** Most tokens the bucket holds; a bucket never seen before starts full. */
  burst: number;
  /** Tokens wanted: as many as are available are granted (possibly 0). */
  want: number;
  /** > 0: when none is available, one token may be reserved ahead if it is due within this many seconds (the caller waits `waitMs`, then acts). */
  debtSeconds?: number;
}

export interface TokenGrant {
  granted: number;
  /** 0 when everything wanted was granted at once; else how long until the next token (or until a reserved one is due). */
  waitMs: number;
  /** Tokens left in the bucket after this take (negative after a reservation). */
  left: number;
}

export interface WindowCount {
  count: number;
  windowStart: Date;
}

export type LimiterStoreKind = "postgres" | "redis";

export interface LimiterStore {
  readonly kind: LimiterStoreKind;
  /** Token bucket: atomic across processes. */
  takeTokens(take: TokenTake): Promise<TokenGrant>;
  /** Fixed window: counts one hit, returns the count after it. */
  hitWindow(input: { key: string; windowSeconds: number }): Promise<WindowCount>;
  /** The current window's count, undefined when none is open. */
  peekWindow(input: { key: string; windowSeconds: number }): Promise<WindowCount | undefined>;
  clearWindow(input: { key: string }): Promise<void>;
  /** Whether the store answers now (for /api/health). */
  ping(): Promise<{ ok: boolean; detail?: string }>;
  close(): Promise<void>;
}

/** What a bucket's answer means for the caller, from the tokens granted and left (negative after a reservation). */
export function grantOf(take: TokenTake, granted: number, tokensLeft: number): TokenGrant {
  if (granted >= take.want) return { granted, waitMs: tokensLeft < 0 ? Math.ceil((-tokensLeft / take.rate) * 1000) : 0, left: tokensLeft };
  return { granted, waitMs: Math.max(1, Math.ceil(((1 - tokensLeft) / take.rate) * 1000)), left: tokensLeft };
}

const storeKey = Symbol.for("herald.limiterStore");
type G = typeof globalThis & { [storeKey]?: Promise<LimiterStore> };

async function createConfiguredStore(env: NodeJS.ProcessEnv): Promise<LimiterStore> {
  const postgres = createPostgresStore();
  const url = env.REDIS_URL?.trim();
  if (!url) return postgres;
  // Loaded only when configured: deployments without Redis never load the client.
  const { createRedisStore } = await import("./redis-store");
  const store = createRedisStore({ url, prefix: env.HERALD_REDIS_PREFIX ?? "herald:", fallback: postgres, timeoutMs: Number(env.HERALD_REDIS_TIMEOUT_MS) || 500 });
  // The first requests wait for the connection (2 s at most) rather than start out on the fallback.
  if (await store.ready) logger.info({ prefix: env.HERALD_REDIS_PREFIX ?? "herald:" }, "rate limits are kept in Redis");
  else logger.warn("Redis is not reachable yet: rate limits use Postgres until it is");
  return store;
}

/** This process's store (created on first use). */
export function limiterStore(env: NodeJS.ProcessEnv = process.env): Promise<LimiterStore> {
  const g = globalThis as G;
  g[storeKey] ??= createConfiguredStore(env);
  return g[storeKey];
}

/** Closes this process's store (its Redis connection), e.g. at shutdown; the next use opens a new one. */
export async function closeLimiterStore(): Promise<void> {
  const g = globalThis as G;
  const store = g[storeKey];
  g[storeKey] = undefined;
  if (store) await (await store).close();
}
