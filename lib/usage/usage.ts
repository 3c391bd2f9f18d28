// Usage metrics read from the hourly rollups (never from messages), so they stay fast at any volume.
import { getDb } from "@/db";
import { findProviderConfig } from "@/db/queries/provider-configs";
import { configCostSums, configUsageSeries, tenantUsageSeries } from "@/db/queries/usage";
import type { Channel } from "@/db/schema/messages";
import type { ProviderKind } from "@/db/schema/provider-configs";
import { ApiError } from "@/lib/api/errors";
import { addDaysInZone, monthInZone, startOfDayInZone } from "@/lib/format";
import type { TenantContext } from "@/lib/tenancy/context";
import { tenantTimeZone } from "@/lib/tenants/tenant-settings";
import {
  overviewOut,
  usageOut,
  type OverviewOut,
  type OverviewRange,
  type UsageOut,
  type UsagePointOut,
  type UsageQuery,
  type UsageTotalsOut,
} from "@/lib/validations/usage";

import { addCounts, deriveRates, errorBudget, zeroCounts, type Counts } from "./metric-definitions";

export { appendUsage as recordUsage, type UsageDelta } from "@/db/queries/usage";
export { successTarget } from "./metric-definitions";

const HOUR = 3_600_000;
const zero = zeroCounts;
const add = (into: Counts, row: Counts) => void addCounts(into, row);

/** Totals with the rates of metric-definitions: open and click rates come from the email share. */
export function withRates(c: Counts, cost: { currency: string; amount: number }[] = [], email: Counts | null = null): UsageTotalsOut {
  return { ...c, ...deriveRates(c, email), cost };
}

/** The start of `d`'s hour, or of its day in the tenant's zone (days are the tenant's, not UTC's). */
function floorTo(d: Date, granularity: "hour" | "day", timeZone = "UTC") {
  if (granularity === "day") return startOfDayInZone(d, timeZone);
  const out = new Date(d);
  out.setUTCMinutes(0, 0, 0);
  return out;
}

/** Buckets from `from` to `to` with zeroes where nothing happened, so charts show gaps honestly. */
function fill<T extends Record<string, unknown>>(rows: Map<string, Counts>, from: Date, to: Date, granularity: "hour" | "day", extra: T, timeZone = "UTC"): (UsagePointOut & T)[] {
  const out: (UsagePointOut & T)[] = [];
  // Local days are 23 or 25 hours long across a DST change: step by calendar day, not by 24 h.
  const next = (t: number) => (granularity === "hour" ? t + HOUR : addDaysInZone(t, 1, timeZone).getTime());
  for (let t = floorTo(from, granularity, timeZone).getTime(); t < to.getTime(); t = next(t)) {
    const bucket = new Date(t).toISOString();
    out.push({ bucket, ...(rows.get(bucket) ?? zero()), ...extra });
  }
  return out;
}

/**
 * A config's quota burn this calendar month in the tenant's time zone: messages sent over
 * `monthly_quota`. The one definition behind the usage API's `quota` and the quota alerts.
 */
export async function configQuotaUse(
  config: { tenantId: string; configId: string; monthlyQuota: number | null },
  now = new Date(),
  timeZone?: string,
): Promise<NonNullable<UsageOut["quota"]>> {
  const zone = timeZone ?? (await tenantTimeZone(config.tenantId));
  const { start, end } = monthInZone(now, zone);
  const month = await configUsageSeries(getDb(), { tenantId: config.tenantId, configId: config.configId, from: floorTo(start, "hour"), to: new Date(now.getTime() + HOUR), granularity: "day", timeZone: zone });
  const used = month.reduce((n, r) => n + Number(r.sent), 0);
  const elapsed = Math.max(HOUR, now.getTime() - start.getTime());
  const monthLength = end.getTime() - start.getTime();
  return {
    monthly_quota: config.monthlyQuota,
    month_start: start.toISOString(),
    used_this_month: used,
    // Not clamped: a burn above 1 is a quota overrun the alerts must see.
    burn: config.monthlyQuota ? Math.round((used / config.monthlyQuota) * 10_000) / 10_000 : null,
    projected_month_end: Math.round((used / elapsed) * monthLength),
  };
}

/** Per granularity, the widest range one request may cover (the series is filled bucket by bucket). */
export const MAX_USAGE_DAYS = { hour: 31, day: 400 } as const;

function usageRangeProblem(from: Date, to: Date, granularity: "hour" | "day"): { path: string; message: string } | null {
  if (from.getTime() >= to.getTime()) return { path: "from", message: "from must be before to" };
  if (to.getTime() - from.getTime() > MAX_USAGE_DAYS[granularity] * 24 * HOUR) {
    return granularity === "hour"
      ? { path: "granularity", message: `Hourly data covers at most ${MAX_USAGE_DAYS.hour} days; use granularity=day` }
      : { path: "from", message: `At most ${MAX_USAGE_DAYS.day} days at once (from defaults to 7 days before to, to to now)` };
  }
  return null;
}

export async function getUsage(ctx: TenantContext, q: UsageQuery, now = new Date()): Promise<UsageOut> {
  const to = q.to ?? now;
  // Rollups are hourly: a range starts at the top of its first hour.
  const from = floorTo(q.from ?? new Date(to.getTime() - 7 * 24 * HOUR), "hour");
  const granularity = q.granularity ?? (to.getTime() - from.getTime() > 2 * 24 * HOUR ? "day" : "hour");
  // Checked on the effective range (defaults applied), so `from` or `to` alone is capped too.
  const rangeProblem = usageRangeProblem(from, to, granularity);
  if (rangeProblem) {
    throw new ApiError({ code: "validation_failed", message: "The query string is invalid", details: [rangeProblem] });
  }
  const db = getDb();
  const timeZone = await tenantTimeZone(ctx.tenantId);
  // Every read adds the increments not folded yet (one statement each): exact at any moment.
  const config = q.config_id ? await findProviderConfig(db, { tenantId: ctx.tenantId, id: q.config_id }) : undefined;
  if (q.config_id && !config) throw ApiError.notFound("Provider config");

  const [rows, costs] = await Promise.all([
    configUsageSeries(db, { tenantId: ctx.tenantId, configId: q.config_id, from, to, granularity, timeZone }),
    configCostSums(db, { tenantId: ctx.tenantId, configId: q.config_id, from, to }),
  ]);
  const totals = zero();
  // Open and click rates are over email only (metric-definitions).
  const email = zero();
  const byBucket = new Map<string, Counts>();
  const byProvider = new Map<ProviderKind, Map<string, Counts>>();
  for (const r of rows) {
    const bucket = new Date(r.bucket).toISOString();
    const c = byBucket.get(bucket) ?? zero();
    add(c, r);
    byBucket.set(bucket, c);
    const p = byProvider.get(r.provider) ?? new Map<string, Counts>();
    const pc = p.get(bucket) ?? zero();
    add(pc, r);
    p.set(bucket, pc);
    byProvider.set(r.provider, p);
    if (q.config_id && r.channel === "email") add(email, r);
  }

  // Per channel and the tenant totals come from the tenant rollup (it includes sends that never reached a config).
  const byChannel = new Map<Channel, Map<string, Counts>>();
  if (!q.config_id) {
    for (const r of await tenantUsageSeries(db, { tenantId: ctx.tenantId, from, to, granularity, timeZone })) {
      const bucket = new Date(r.bucket).toISOString();
      const m = byChannel.get(r.channel) ?? new Map<string, Counts>();
      const c = m.get(bucket) ?? zero();
      add(c, r);
      m.set(bucket, c);
      byChannel.set(r.channel, m);
      add(totals, r);
      if (r.channel === "email") add(email, r);
    }
  } else for (const c of byBucket.values()) add(totals, c);

  let quota: UsageOut["quota"] = null;
  if (config) quota = await configQuotaUse({ tenantId: ctx.tenantId, configId: config.id, monthlyQuota: config.monthlyQuota }, now, timeZone);

  return usageOut.parse({
    from: from.toISOString(),
    to: to.toISOString(),
    granularity,
    config_id: q.config_id ?? null,
    // One amount per currency: different currencies are never added together.
    totals: withRates(totals, costs.map(({ currency, amount }) => ({ currency, amount: Math.round(amount * 10_000) / 10_000 })), email),
    series: q.config_id ? fill(byBucket, from, to, granularity, {}, timeZone) : mergeChannels(byChannel, from, to, granularity, timeZone),
    by_channel: [...byChannel].flatMap(([channel, m]) => fill(m, from, to, granularity, { channel }, timeZone)),
    by_provider: [...byProvider].flatMap(([provider, m]) => fill(m, from, to, granularity, { provider }, timeZone)),
    quota,
  });
}

function mergeChannels(byChannel: Map<Channel, Map<string, Counts>>, from: Date, to: Date, granularity: "hour" | "day", timeZone: string) {
  const merged = new Map<string, Counts>();
  for (const m of byChannel.values()) {
    for (const [bucket, c] of m) {
      const t = merged.get(bucket) ?? zero();
      add(t, c);
      merged.set(bucket, t);
    }
  }
  return fill(merged, from, to, granularity, {}, timeZone);
}

const RANGE_HOURS: Record<OverviewRange, number> = { "24h": 24, "7d": 7 * 24, "30d": 30 * 24 };

/** The Overview page: cards and the per-channel / per-provider series for a range. */
export async function getOverview(ctx: TenantContext, range: OverviewRange, now = new Date()): Promise<OverviewOut> {
  const granularity = range === "24h" ? "hour" : "day";
  // "Today" starts at midnight in the tenant's zone, not the server's UTC.
  const timeZone = await tenantTimeZone(ctx.tenantId);
  const to = new Date(floorTo(now, "hour").getTime() + HOUR);
  const from = granularity === "hour" ? new Date(to.getTime() - RANGE_HOURS[range] * HOUR) : addDaysInZone(now, -(RANGE_HOURS[range] / 24 - 1), timeZone);
  const usage = await getUsage(ctx, { from, to, granularity }, now);
  const todayStart = startOfDayInZone(now, timeZone).toISOString();
  const today =
    granularity === "day"
      ? (usage.series.find((p) => p.bucket === todayStart)?.sent ?? 0)
      : usage.series.filter((p) => p.bucket >= todayStart).reduce((n, p) => n + p.sent, 0);
  const t = usage.totals;
  return overviewOut.parse({
    range,
    granularity,
    from: usage.from,
    to: usage.to,
    sends_today: today,
    totals: t,
    error_budget: errorBudget(t.error_rate),
    by_channel: usage.by_channel,
    by_provider: usage.by_provider,
    has_data: t.sent + t.failed > 0,
  });
}
