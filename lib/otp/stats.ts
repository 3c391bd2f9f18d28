// The OTP panel's numbers, defined once: every surface (API, dashboard) reads otpStats.
import { getDb } from "@/db";
import { otpStatsSince } from "@/db/queries/otp";
import type { TenantContext } from "@/lib/tenancy/context";

const ranges = { "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000 } as const;
export type OtpRange = keyof typeof ranges;

/**
 * Over OTPs requested in the range: `sends` counts every code sent (resends included),
 * `verified` the OTPs verified, `conversion` = verified / OTPs requested (a resend doesn't make
 * a second chance to convert), `median_seconds_to_verify` from request to successful check.
 * `blocked` counts refused requests by reason (throttles, allow-list, spend cap, pumping blocks).
 */
export async function otpStats(ctx: TenantContext, range: OtpRange) {
  const since = new Date(Date.now() - ranges[range]);
  const { rows, overallMedian, refusals } = await otpStatsSince(getDb(), { tenantId: ctx.tenantId, since });
  const rate = (verified: number, requests: number) => (requests > 0 ? Number((verified / requests).toFixed(4)) : null);
  const round = (v: number | null) => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10);
  const totals = rows.reduce((t, r) => ({ requests: t.requests + r.requests, sends: t.sends + r.sends, verified: t.verified + r.verified }), {
    requests: 0,
    sends: 0,
    verified: 0,
  });
  const blockedByReason = new Map<string, number>();
  for (const r of refusals) blockedByReason.set(r.reason, (blockedByReason.get(r.reason) ?? 0) + r.count);
  const blockedByCountry = new Map<string, number>();
  for (const r of refusals) blockedByCountry.set(r.country ?? "unknown", (blockedByCountry.get(r.country ?? "unknown") ?? 0) + r.count);
  return {
    range,
    since: since.toISOString(),
    requests: totals.requests,
    sends: totals.sends,
    verified: totals.verified,
    conversion: rate(totals.verified, totals.requests),
    median_seconds_to_verify: round(overallMedian),
    blocked: [...blockedByReason].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count),
    countries: rows
      .map((r) => ({
        country: r.country ?? "unknown",
        requests: r.requests,
        sends: r.sends,
        verified: r.verified,
        conversion: rate(r.verified, r.requests),
        median_seconds_to_verify: round(r.medianVerifySeconds),
        blocked: blockedByCountry.get(r.country ?? "unknown") ?? 0,
      }))
      .sort((a, b) => b.sends - a.sends),
  };
}
export type OtpStatsOut = Awaited<ReturnType<typeof otpStats>>;
