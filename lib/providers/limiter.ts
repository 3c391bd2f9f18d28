// Per-config send limits: a concurrency semaphore and a token bucket, in this process.
import type { ProviderKind } from "@/db/schema/provider-configs";
import type { SendLimits } from "./definition";
import { definitionOf } from "./definitions";

export type { SendLimits };

/**
 * The limits for a config: `max_concurrency` / `rate_limit_per_second` in its settings when
 * present, else HERALD_PROVIDER_LIMITS (`<provider>=<rate>/<concurrency>`, e.g. `x=1/4,y=10`), else
 * the provider definition's defaults.
 */
export function limitsFor(config: { provider: ProviderKind; settings: unknown }, env: NodeJS.ProcessEnv = process.env): SendLimits {
  const base = { ...definitionOf(config.provider).limits };
  for (const part of (env.HERALD_PROVIDER_LIMITS ?? "").split(",")) {
    const [name, value] = part.split("=").map((x) => x.trim());
    if (name !== config.provider || !value) continue;
    const [rate, concurrency] = value.split("/").map(Number);
    if (rate !== undefined && Number.isFinite(rate) && rate > 0) base.ratePerSecond = rate;
    if (concurrency !== undefined && Number.isInteger(concurrency) && concurrency > 0) base.concurrency = concurrency;
  }
  const s = (config.settings ?? {}) as Record<string, unknown>;
  if (typeof s.max_concurrency === "number" && s.max_concurrency > 0) base.concurrency = Math.floor(s.max_concurrency);
  if (typeof s.rate_limit_per_second === "number" && s.rate_limit_per_second > 0) base.ratePerSecond = s.rate_limit_per_second;
  return base;
}

interface Slot {
  inFlight: number;
  waiters: (() => void)[];
  tokens: number;
  refilledAt: number;
}

const slots = new Map<string, Slot>();

function slotFor(key: string, limits: SendLimits): Slot {
  let slot = slots.get(key);
  if (!slot) {
    slot = { inFlight: 0, waiters: [], tokens: limits.ratePerSecond ?? 0, refilledAt: Date.now() };
    slots.set(key, slot);
  }
  return slot;
}

async function takeToken(slot: Slot, rate: number): Promise<void> {
  for (;;) {
    const now = Date.now();
    // Burst up to one second's worth.
    slot.tokens = Math.min(rate, slot.tokens + ((now - slot.refilledAt) / 1000) * rate);
    slot.refilledAt = now;
    if (slot.tokens >= 1) {
      slot.tokens -= 1;
      return;
    }
    await new Promise((r) => setTimeout(r, Math.ceil(((1 - slot.tokens) / rate) * 1000)));
  }
}

/**
 * Runs `fn` within the config's limits: waits for a free slot (FIFO) and a rate token. Limits
 * hold per process; with N worker processes a config gets up to N × the limit.
 */
export async function withSendLimit<T>(configId: string, limits: SendLimits, fn: () => Promise<T>): Promise<T> {
  const slot = slotFor(configId, limits);
  // A finishing call hands its slot straight to the next waiter, so no newcomer can slip in between.
  if (slot.inFlight >= limits.concurrency) await new Promise<void>((resolve) => slot.waiters.push(resolve));
  else slot.inFlight++;
  try {
    if (limits.ratePerSecond) await takeToken(slot, limits.ratePerSecond);
    return await fn();
  } finally {
    const next = slot.waiters.shift();
    if (next) next();
    else slot.inFlight--;
  }
}
