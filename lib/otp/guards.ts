// What stands between a request and a paid SMS: the country allow-list, pumping blocks,
// throttles and the daily spend cap. Every refusal is recorded (the dashboard's blocked attempts).
import { parsePhoneNumber } from "awesome-phonenumber";
import { getDb, type DbOrTx } from "@/db";
import { conversionSince, findActiveBlocks, hitCounters, insertBlock, insertRefusal, lastUnblockedAt, type CounterHit } from "@/db/queries/otp";
import { ApiError } from "@/lib/api/errors";
import { alertOtpPumpingBlocked } from "@/lib/alerts/ops-alerts";
import { logger } from "@/lib/logger";
import { otpNow } from "./clock";
import { throttleWindows, type OtpPolicy, type ThrottleName } from "./policy";

export interface Destination {
  to: string;
  country: string | null;
  /** The number without its last four digits: where pumping ranges show. */
  prefix: string;
}

export function destinationOf(to: string): Destination {
  const parsed = parsePhoneNumber(to);
  return { to, country: parsed.regionCode ?? null, prefix: to.slice(0, Math.max(4, to.length - 4)) };
}

/** Who is asking: the API key, else the client address of a session. */
export interface Requester {
  apiKeyId: string | null;
  clientAddress: string | null;
}

export type RefusalReason = ThrottleName | "country_not_allowed" | "destination_blocked" | "daily_spend_cap";

async function refuse(tenantId: string, dest: Destination, reason: RefusalReason, err: ApiError): Promise<never> {
  await insertRefusal(getDb(), { tenantId, reason, country: dest.country, prefix: dest.prefix }).catch((e: unknown) =>
    logger.error({ err: e }, "could not record an OTP refusal"),
  );
  throw err;
}

export async function checkDestination(tenantId: string, dest: Destination, policy: OtpPolicy): Promise<void> {
  if (!dest.country || !policy.allowedCountries.includes(dest.country)) {
    await refuse(
      tenantId,
      dest,
      "country_not_allowed",
      new ApiError({
        code: "otp_country_not_allowed",
        status: 422,
        message: `OTPs to ${dest.country ?? "this number's country"} are not enabled for this tenant (allowed: ${policy.allowedCountries.join(", ") || "none"}).`,
        details: { reason: "country_not_allowed", country: dest.country, allowed_countries: policy.allowedCountries },
      }),
    );
  }
  const blocks = await findActiveBlocks(getDb(), { tenantId, country: dest.country, prefix: dest.prefix });
  const block = blocks[0];
  if (block) {
    await refuse(
      tenantId,
      dest,
      "destination_blocked",
      new ApiError({
        code: "otp_destination_blocked",
        status: 403,
        message: `OTPs to ${block.kind} ${block.value} are blocked: ${block.reason}. An admin can unblock it on the OTP page.`,
        details: { reason: "destination_blocked", block_id: block.id, kind: block.kind, value: block.value, block_reason: block.reason },
      }),
    );
  }
}

const DAY_MS = 86_400_000;
/** Spend is counted in ten-thousandths, the counter is an integer. */
const SPEND_UNIT = 10_000;

/** A throttle or the spend cap said no: raised inside the send transaction, so it rolls back. */
export class SendRefused extends Error {
  constructor(
    readonly reason: RefusalReason,
    readonly apiError: ApiError,
  ) {
    super(apiError.message);
  }
}

/**
 * Counts this send against every throttle and the spend cap, in the caller's transaction; over
 * any → throws SendRefused (429 with Retry-After and the reason) so the transaction rolls back.
 */
export async function takeSendAllowance(tx: DbOrTx, tenantId: string, dest: Destination, who: Requester, policy: OtpPolicy): Promise<void> {
  const l = policy.limits;
  const client = who.apiKeyId ? `key:${who.apiKeyId}` : `ip:${who.clientAddress ?? "unknown"}`;
  const hits: (CounterHit & { name: RefusalReason })[] = [
    { name: "destination_30s", key: `otp:${tenantId}:dest30s:${dest.to}`, windowSeconds: throttleWindows.destination_30s, limit: l.destination_30s },
    { name: "destination_hour", key: `otp:${tenantId}:desth:${dest.to}`, windowSeconds: throttleWindows.destination_hour, limit: l.destination_hour },
    { name: "destination_day", key: `otp:${tenantId}:destd:${dest.to}`, windowSeconds: throttleWindows.destination_day, limit: l.destination_day },
    { name: "client_hour", key: `otp:${tenantId}:client:${client}`, windowSeconds: throttleWindows.client_hour, limit: l.client_hour },
    { name: "tenant_day", key: `otp:${tenantId}:tenant`, windowSeconds: throttleWindows.tenant_day, limit: l.tenant_day },
  ];
  if (policy.dailySpendCap !== null) {
    const day = otpNow().toISOString().slice(0, 10);
    // Keyed by UTC date (the window outlasts the day), so the cap resets at midnight UTC.
    hits.push({
      name: "daily_spend_cap",
      key: `otp:${tenantId}:spend:${day}`,
      windowSeconds: 2 * 86_400,
      limit: Math.floor(policy.dailySpendCap * SPEND_UNIT),
      add: Math.round(policy.costPerMessage * SPEND_UNIT),
    });
  }
  const over = await hitCounters(tx, hits);
  if (!over) return;
  const hit = hits.find((h) => h.key === over.key)!;
  let retryAfter = over.retryAfterSeconds;
  if (hit.name === "daily_spend_cap") {
    const now = otpNow().getTime();
    retryAfter = Math.max(1, Math.ceil((Math.floor(now / DAY_MS) * DAY_MS + DAY_MS - now) / 1000));
  }
  throw new SendRefused(
    hit.name,
    new ApiError({
      code: "otp_rate_limited",
      status: 429,
      message: throttleMessage(hit.name, hit.limit, policy),
      details: { reason: hit.name, limit: hit.name === "daily_spend_cap" ? policy.dailySpendCap : hit.limit, retry_after_seconds: retryAfter },
      headers: { "Retry-After": String(retryAfter) },
    }),
  );
}

/** Records a refusal that happened inside a rolled-back transaction, and rethrows its API error. */
export async function recordRefused(tenantId: string, dest: Destination, refused: SendRefused): Promise<never> {
  return refuse(tenantId, dest, refused.reason, refused.apiError);
}

function throttleMessage(name: RefusalReason, limit: number, policy: OtpPolicy): string {
  switch (name) {
    case "destination_30s":
      return `At most ${limit} code per 30 seconds to one number; retry after the Retry-After delay`;
    case "destination_hour":
      return `At most ${limit} codes per hour to one number`;
    case "destination_day":
      return `At most ${limit} codes per day to one number`;
    case "client_hour":
      return `At most ${limit} codes per hour from one API key or client address`;
    case "tenant_day":
      return `This tenant's limit of ${limit} codes per day is reached`;
    case "daily_spend_cap":
      return `This tenant's daily OTP spend cap of ${policy.dailySpendCap} is reached; it resets at midnight UTC`;
    default:
      return "Too many codes";
  }
}

const PUMPING_WINDOW_MS = 3_600_000;

/**
 * After a send: blocks the number prefix — and at five times the volume the whole country — when
 * the last hour shows many codes and almost none verified (SMS pumping: someone is requesting codes
 * to premium ranges nobody reads). Codes younger than the settle time are not counted yet.
 */
export async function detectPumping(tenantId: string, dest: Destination, policy: OtpPolicy): Promise<void> {
  const now = otpNow().getTime();
  const settle = Number(process.env.HERALD_OTP_PUMPING_SETTLE_SECONDS ?? 60) * 1000;
  const since = new Date(now - PUMPING_WINDOW_MS);
  const settledBefore = new Date(now - settle);
  const checks: { kind: "prefix" | "country"; value: string | null; minSends: number }[] = [
    { kind: "prefix", value: dest.prefix, minSends: policy.pumpingMinSends },
    { kind: "country", value: dest.country, minSends: policy.pumpingMinSends * 5 },
  ];
  for (const c of checks) {
    if (!c.value) continue;
    const unblocked = await lastUnblockedAt(getDb(), { tenantId, kind: c.kind, value: c.value });
    const from = unblocked && unblocked > since ? unblocked : since;
    const { sends, verified } = await conversionSince(getDb(), { tenantId, kind: c.kind, value: c.value, since: from, settledBefore });
    if (sends < c.minSends) continue;
    const conversion = (verified * 100) / sends;
    if (conversion >= policy.pumpingMinConversionPercent) continue;
    const block = await insertBlock(getDb(), {
      tenantId,
      kind: c.kind,
      value: c.value,
      reason: `conversion collapse: ${verified} of ${sends} codes verified in the last hour (${conversion.toFixed(1)} %, threshold ${policy.pumpingMinConversionPercent} %)`,
      stats: { sends, verified, conversion_percent: Number(conversion.toFixed(2)), window_seconds: PUMPING_WINDOW_MS / 1000 },
    });
    if (block) {
      logger.warn({ tenantId, kind: c.kind, value: c.value, sends, verified }, "OTP destination blocked for suspected SMS pumping");
      alertOtpPumpingBlocked({ tenantId, kind: c.kind, value: c.value, reason: block.reason });
    }
  }
}
