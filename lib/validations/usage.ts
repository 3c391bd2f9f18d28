import { z } from "zod";
import { isoDateTime } from "./common";
import { channels } from "./messages";
import { providerKinds } from "./provider-configs";

const isoDate = isoDateTime("An ISO 8601 date-time, e.g. 2025-01-31T00:00:00Z").transform((v) => new Date(v));

export const usageQuery = z
  .object({
    config_id: z.string().uuid("config_id is a provider config id (UUID)").optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    granularity: z.enum(["hour", "day"], "granularity is hour or day").optional(),
  });
// The range itself (from before to, at most 31 days hourly / 400 days daily) is checked by
// getUsage on the effective range, defaults applied, so `from` or `to` alone is capped too.
export type UsageQuery = z.output<typeof usageQuery>;

export const overviewRanges = ["24h", "7d", "30d"] as const;
export type OverviewRange = (typeof overviewRanges)[number];
export const overviewQuery = z.object({ range: z.enum(overviewRanges, "range is 24h, 7d or 30d").default("7d") });

const counts = {
  sent: z.number(),
  delivered: z.number(),
  opened: z.number(),
  clicked: z.number(),
  bounced: z.number(),
  failed: z.number(),
  segments: z.number(),
};
const rates = {
  delivery_rate: z.number().nullable(),
  open_rate: z.number().nullable(),
  click_rate: z.number().nullable(),
  bounce_rate: z.number().nullable(),
  error_rate: z.number().nullable(),
};
export const usageTotalsOut = z.object({ ...counts, ...rates, cost: z.array(z.object({ currency: z.string(), amount: z.number() })) });
export const usagePointOut = z.object({ bucket: z.string(), ...counts });
export const usageOut = z.object({
  from: z.string(),
  to: z.string(),
  granularity: z.enum(["hour", "day"]),
  config_id: z.string().nullable(),
  totals: usageTotalsOut,
  series: z.array(usagePointOut),
  by_channel: z.array(usagePointOut.extend({ channel: z.enum(channels) })),
  by_provider: z.array(usagePointOut.extend({ provider: z.enum(providerKinds) })),
  quota: z
    .object({ monthly_quota: z.number().nullable(), month_start: z.string(), used_this_month: z.number(), burn: z.number().nullable(), projected_month_end: z.number() })
    .nullable(),
});
export type UsageOut = z.output<typeof usageOut>;
export type UsageTotalsOut = z.output<typeof usageTotalsOut>;
export type UsagePointOut = z.output<typeof usagePointOut>;

export const overviewOut = z.object({
  range: z.enum(overviewRanges),
  granularity: z.enum(["hour", "day"]),
  from: z.string(),
  to: z.string(),
  sends_today: z.number(),
  totals: usageTotalsOut,
  error_budget: z.object({ target_success: z.number(), allowed_error_rate: z.number(), remaining: z.number().min(0).max(1).nullable(), exhausted: z.boolean(), explanation: z.string() }),
  by_channel: usageOut.shape.by_channel,
  by_provider: usageOut.shape.by_provider,
  has_data: z.boolean(),
});
export type OverviewOut = z.output<typeof overviewOut>;
