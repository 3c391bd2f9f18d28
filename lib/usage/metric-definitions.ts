// The one definition of every delivery figure Herald shows: the Overview, the provider cards, the
// usage API and alerts all derive their rates and the error budget here, so no two can disagree.
import type { Channel } from "@/db/schema/messages";

/**
 * What each counter means. The counters are appended once per change at their source (the
 * delivery workflow and the webhook state machine), so a late or repeated event never counts twice:
 * - sent: messages a provider accepted;
 * - delivered: confirmed delivered and not bounced later (a bounce after `delivered` takes it back);
 * - bounced: the recipient's server refused it (never also delivered);
 * - failed: never accepted, or reported failed by the provider; a replayed message that is then
 *   sent no longer counts as failed;
 * - opened / clicked: unique per message (the first open or click), email only in the rates.
 */
export const COUNTERS = ["sent", "delivered", "opened", "clicked", "bounced", "failed", "segments"] as const;
export type Counter = (typeof COUNTERS)[number];
export type Counts = Record<Counter, number>;

export const zeroCounts = (): Counts => ({ sent: 0, delivered: 0, opened: 0, clicked: 0, bounced: 0, failed: 0, segments: 0 });

export function addCounts(into: Counts, row: Partial<Record<Counter, number | string>>): Counts {
  for (const k of COUNTERS) into[k] += Number(row[k] ?? 0);
  return into;
}

/** Channels whose providers report opens and clicks; other channels have no open or click rate. */
export const ENGAGEMENT_CHANNELS: readonly Channel[] = ["email"];
export const hasEngagement = (channel: Channel) => ENGAGEMENT_CHANNELS.includes(channel);

/** A share in [0, 1] rounded to 4 places; null when there is nothing to divide by. */
export function ratio(n: number, d: number): number | null {
  if (!(d > 0)) return null;
  return Math.round(Math.min(1, Math.max(0, n / d)) * 10_000) / 10_000;
}

export interface Rates {
  delivery_rate: number | null;
  open_rate: number | null;
  click_rate: number | null;
  bounce_rate: number | null;
  error_rate: number | null;
}

/**
 * delivery = delivered / sent; bounce = bounced / sent; error = (failed + bounced) / (sent + failed)
 * (`failed` includes sends that never reached a provider, so they join the denominator).
 * open and click = unique opened / clicked over delivered EMAIL only: pass the email counts (null
 * when the scope holds no email channel, e.g. an SMS config, and the rates are null).
 */
export function deriveRates(all: Counts, email: Counts | null): Rates {
  return {
    delivery_rate: ratio(all.delivered, all.sent),
    open_rate: email ? ratio(email.opened, email.delivered) : null,
    click_rate: email ? ratio(email.clicked, email.delivered) : null,
    bounce_rate: ratio(all.bounced, all.sent),
    error_rate: ratio(all.failed + all.bounced, all.sent + all.failed),
  };
}

/** Success target for the error budget (HERALD_ERROR_BUDGET_TARGET, default 0.99). */
export function successTarget(): number {
  const v = Number(process.env.HERALD_ERROR_BUDGET_TARGET);
  return Number.isFinite(v) && v > 0 && v < 1 ? v : 0.99;
}

export interface ErrorBudget {
  target_success: number;
  allowed_error_rate: number;
  /** The share of the allowed errors not used yet, clamped to [0, 1]; null with no traffic. */
  remaining: number | null;
  /** True when the error rate is above the allowed rate (remaining is then 0). */
  exhausted: boolean;
  explanation: string;
}

const pct = (v: number) => `${(Math.round(v * 1000) / 10).toString()}%`;

/**
 * The error budget: with a success target of 99 %, 1 % of messages may fail or bounce. Remaining
 * is 1 − error rate / allowed rate, clamped to [0, 1] — an exhausted budget is 0 %, never negative.
 */
export function errorBudget(errorRate: number | null, target = successTarget()): ErrorBudget {
  const allowed = Math.round((1 - target) * 10_000) / 10_000;
  if (errorRate === null) {
    return { target_success: target, allowed_error_rate: allowed, remaining: null, exhausted: false, explanation: `Nothing sent yet. The target is ${pct(target)} success, so up to ${pct(allowed)} of messages may fail or bounce.` };
  }
  const raw = 1 - errorRate / allowed;
  const remaining = Math.round(Math.min(1, Math.max(0, raw)) * 10_000) / 10_000;
  const exhausted = errorRate > allowed;
  const explanation = exhausted
    ? `Exhausted: ${pct(errorRate)} of messages failed or bounced, above the ${pct(allowed)} a ${pct(target)} success target allows.`
    : `${pct(errorRate)} of messages failed or bounced out of the ${pct(allowed)} a ${pct(target)} success target allows.`;
  return { target_success: target, allowed_error_rate: allowed, remaining, exhausted, explanation };
}
