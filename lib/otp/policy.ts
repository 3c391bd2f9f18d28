// The tenant's OTP rules: throttles, country allow-list, spend cap, pumping thresholds. A row
// in otp_policies overrides these defaults per field; env vars move the defaults.
import { getDb } from "@/db";
import { findOtpPolicy, upsertOtpPolicy } from "@/db/queries/otp";
import { recordAudit } from "@/lib/audit/record-audit";
import { LocalCache } from "@/lib/cache/local-cache";
import type { TenantContext } from "@/lib/tenancy/context";
import type { OtpPolicyInput } from "@/lib/validations/otp";

/** Throttle windows: key → window length. Limits are per window. */
export const throttleWindows = {
  destination_30s: 30,
  destination_hour: 3600,
  destination_day: 86_400,
  client_hour: 3600,
  tenant_day: 86_400,
} as const;
export type ThrottleName = keyof typeof throttleWindows;

export const defaultLimits: Record<ThrottleName, number> = {
  destination_30s: 1,
  destination_hour: 5,
  destination_day: 10,
  // One API key (or, for sessions, one client address) per hour.
  client_hour: 1000,
  tenant_day: 10_000,
};

export interface OtpPolicy {
  defaultCountry: string;
  /** Destination countries (ISO 3166 alpha-2) OTPs may go to. */
  allowedCountries: string[];
  limits: Record<ThrottleName, number>;
  /** Estimated spend per UTC day, in the tenant's billing currency; null = no cap. */
  dailySpendCap: number | null;
  costPerMessage: number;
  /** Pumping detection: at least this many sends in the window … */
  pumpingMinSends: number;
  /** … with fewer verified than this percentage blocks the prefix (and, at 5× the sends, the country). */
  pumpingMinConversionPercent: number;
  /** Why each field has its value, for the settings page. */
  overridden: string[];
}

const num = (v: string | undefined, fallback: number) => {
  const n = Number(v);
  return v !== undefined && v !== "" && Number.isFinite(n) && n >= 0 ? n : fallback;
};

export function defaultPolicy(env: NodeJS.ProcessEnv = process.env): Omit<OtpPolicy, "overridden"> {
  const country = (env.HERALD_OTP_DEFAULT_COUNTRY ?? "SE").toUpperCase();
  return {
    defaultCountry: country,
    allowedCountries: [country],
    limits: { ...defaultLimits },
    dailySpendCap: env.HERALD_OTP_DAILY_SPEND_CAP ? num(env.HERALD_OTP_DAILY_SPEND_CAP, 0) : 100,
    costPerMessage: num(env.HERALD_OTP_COST_PER_MESSAGE, 0.05),
    pumpingMinSends: num(env.HERALD_OTP_PUMPING_MIN_SENDS, 30),
    pumpingMinConversionPercent: num(env.HERALD_OTP_PUMPING_MIN_CONVERSION_PERCENT, 10),
  };
}

// A change made by any process NOTIFYs the cache bus and drops the entry everywhere at once;
// without the bus (starting, reconnecting) an entry lives a second.
const cache = new LocalCache<OtpPolicy>({ max: 10_000, ttlMs: 60_000, unheardTtlMs: 1_000 });

export async function otpPolicyFor(tenantId: string): Promise<OtpPolicy> {
  return cache.getOrLoad(tenantId, () => loadPolicy(tenantId), () => [`otp_policies:${tenantId}`]);
}

async function loadPolicy(tenantId: string): Promise<OtpPolicy> {
  const row = await findOtpPolicy(getDb(), { tenantId });
  const base = defaultPolicy();
  const overridden: string[] = [];
  const defaultCountry = row?.defaultCountry ?? base.defaultCountry;
  if (row?.defaultCountry) overridden.push("default_country");
  if (row?.allowedCountries) overridden.push("allowed_countries");
  const limits = { ...base.limits };
  for (const [k, v] of Object.entries(row?.limits ?? {})) {
    if (k in limits && typeof v === "number") {
      limits[k as ThrottleName] = v;
      overridden.push(`limits.${k}`);
    }
  }
  const policy: OtpPolicy = {
    defaultCountry,
    allowedCountries: row?.allowedCountries ?? [defaultCountry],
    limits,
    dailySpendCap: row?.dailySpendCap != null ? Number(row.dailySpendCap) : base.dailySpendCap,
    costPerMessage: row?.costPerMessage != null ? Number(row.costPerMessage) : base.costPerMessage,
    pumpingMinSends: row?.pumpingMinSends ?? base.pumpingMinSends,
    pumpingMinConversionPercent: row?.pumpingMinConversionPercent ?? base.pumpingMinConversionPercent,
    overridden,
  };
  return policy;
}

export async function setOtpPolicy(ctx: TenantContext, input: OtpPolicyInput): Promise<OtpPolicy> {
  await getDb().transaction(async (tx) => {
    await upsertOtpPolicy(tx, {
      tenantId: ctx.tenantId,
      defaultCountry: input.default_country ?? null,
      allowedCountries: input.allowed_countries ?? null,
      limits: input.limits ?? null,
      dailySpendCap: input.daily_spend_cap != null ? String(input.daily_spend_cap) : null,
      costPerMessage: input.cost_per_message != null ? String(input.cost_per_message) : null,
      pumpingMinSends: input.pumping_min_sends ?? null,
      pumpingMinConversionPercent: input.pumping_min_conversion_percent ?? null,
    });
    await recordAudit(tx, ctx, { action: "otp_policy.updated", targetType: "tenant", targetId: ctx.tenantId, details: { ...input } });
  });
  cache.delete(ctx.tenantId);
  return otpPolicyFor(ctx.tenantId);
}

export function policyJson(p: OtpPolicy) {
  return {
    default_country: p.defaultCountry,
    allowed_countries: p.allowedCountries,
    limits: p.limits,
    daily_spend_cap: p.dailySpendCap,
    cost_per_message: p.costPerMessage,
    pumping_min_sends: p.pumpingMinSends,
    pumping_min_conversion_percent: p.pumpingMinConversionPercent,
    overridden: p.overridden,
  };
}
