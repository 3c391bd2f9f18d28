import { BoundedMap } from "@/lib/bounded-map";
import { positiveNumberEnv } from "@/lib/env";
import { limiterStore, type LimiterStore } from "./store";

export interface RequestRate {
  ratePerSecond: number;
  burst: number;
}

/** HERALD_RATE_LIMIT_LEASE_MS: 0 or more (0 = no leasing), default 50. */
function leaseMsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.HERALD_RATE_LIMIT_LEASE_MS);
  return env.HERALD_RATE_LIMIT_LEASE_MS !== undefined && env.HERALD_RATE_LIMIT_LEASE_MS !== "" && Number.isFinite(v) && v >= 0 ? v : 50;
}

/** A lease never holds more than this many tokens, however high the rate. */
const MAX_LEASE_TOKENS = 100;

interface Lease {
  /** Tokens taken from the shared bucket and not yet used; void at `expiresAt`. */
  tokens: number;
  expiresAt: number;
  /** The shared bucket said "empty" until then: refuse locally instead of asking again. */
  emptyUntil: number;
  /** The one take from the shared bucket in flight for this key; other callers wait for it. */
  fetching?: Promise<void>;
  waiting: number;
  /** Tokens the shared bucket had left at the last take: a bucket running dry is leased one token at a time. */
  bucketLeft: number;
}

/**
 * A per-key request limit (token bucket) shared by every process. Each process leases small
 * batches of tokens from the shared bucket — about `leaseMs` worth of the rate, at most 100 — and
 * spends them locally, so a busy key well under its limit costs one store round trip per batch
 * instead of one per request. Every token spent was taken from the shared bucket, and a lease's
 * unspent tokens lapse after `leaseMs`, so the fleet allows at most the limit plus `rate ×
 * leaseMs`. Near the limit (the bucket running dry) a process leases one token at a time, so
 * leases lapsing unspent in one process cannot starve the others: the fleet stays within a few
 * percent of the limit from below too. With `leaseMs` 0 every request asks the store.
 */
export class SharedRequestLimiter {
  private readonly leases: BoundedMap<string, Lease>;
  private readonly leaseMs: number;
  private readonly store: () => Promise<LimiterStore>;
  private readonly now: () => number;

  constructor(
    private readonly name: string,
    private readonly rate: RequestRate,
    opts: { leaseMs?: number; maxKeys?: number; store?: () => Promise<LimiterStore>; now?: () => number } = {},
  ) {
    this.leaseMs = opts.leaseMs ?? leaseMsFromEnv();
    this.leases = new BoundedMap(opts.maxKeys ?? positiveNumberEnv("HERALD_RATE_LIMIT_MAX_KEYS", 10_000));
    this.store = opts.store ?? (() => limiterStore());
    this.now = opts.now ?? Date.now;
  }

  /** Tokens a process leases at once for this rate. */
  get leaseSize(): number {
    const byTime = Math.floor((this.rate.ratePerSecond * Math.max(0, this.leaseMs)) / 1000);
    return Math.max(1, Math.min(byTime, Math.floor(this.rate.burst), MAX_LEASE_TOKENS));
  }

  /** Keys with a lease in this process (bounded by `maxKeys`). */
  get size(): number {
    return this.leases.size;
  }

  /** Takes one request's token: 0 when allowed, else the seconds until one may be available. */
  async take(key: string): Promise<number> {
    let lease = this.leases.get(key);
    if (!lease) {
      lease = { tokens: 0, expiresAt: 0, emptyUntil: 0, waiting: 0, bucketLeft: Infinity };
      this.leases.set(key, lease);
    }
    for (;;) {
      const now = this.now();
      if (lease.tokens >= 1 && lease.expiresAt > now) {
        lease.tokens -= 1;
        return 0;
      }
      if (lease.emptyUntil > now) return (lease.emptyUntil - now) / 1000;
      lease.waiting++;
      try {
        lease.fetching ??= this.refill(key, lease).finally(() => (lease.fetching = undefined));
        await lease.fetching;
      } finally {
        lease.waiting--;
      }
    }
  }

  private async refill(key: string, lease: Lease): Promise<void> {
    // Everyone waiting now, and a lease's worth while the shared bucket has plenty.
    const spare = Math.max(1, Math.min(this.leaseSize, Math.floor(lease.bucketLeft)));
    const want = Math.max(spare, Math.min(lease.waiting, Math.floor(this.rate.burst)));
    const store = await this.store();
    const r = await store.takeTokens({ key: `${this.name}:${key}`, rate: this.rate.ratePerSecond, burst: this.rate.burst, want });
    const now = this.now();
    lease.tokens = (lease.expiresAt > now ? lease.tokens : 0) + r.granted;
    lease.expiresAt = now + Math.max(this.leaseMs, 1);
    lease.emptyUntil = r.granted === 0 ? now + r.waitMs : 0;
    lease.bucketLeft = r.left;
  }
}
