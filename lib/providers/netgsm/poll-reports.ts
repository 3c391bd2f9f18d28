// Netgsm posts no delivery reports: Herald asks its report API (POST /sms/rest/v2/report) for the
// job ids of sent messages and records the answers as provider events, which the webhook pipeline
// applies like any pushed report (forward-only state, usage, suppressions, customer events).
import { createHash } from "node:crypto";
import { getDb } from "@/db";
import { claimMessagesAwaitingReport, listConfigsAwaitingReports, releaseReportClaims, type ClaimedReport } from "@/db/queries/report-polls";
import { errorText, logger } from "@/lib/logger";
import { limiterStore } from "@/lib/rate-limit/store";
import { recordProviderEvents } from "@/lib/webhooks/record";
import { isRecord, strOf, type NormalizedEvent, type WebhookEventType } from "@/lib/webhooks/types";
import { baseUrlOf, basicAuth, DEFAULT_PROVIDER_TIMEOUT_MS, httpRequest, needCredential, rec, str } from "../adapter";
import { findConfigRecord, resolveCredentials, type ConfigOf } from "../config-record";

/**
 * Netgsm allows 10 report queries a minute per account (code 80 beyond). The bucket holds 5 and
 * refills 5 a minute, so no 60-second window ever sees more than 5 + 5 = 10, whichever process
 * asks (the bucket is the fleet-wide limiter store).
 */
export const REPORT_BURST = 5;
const REPORT_RATE_PER_SECOND = 5 / 60;
/** Job ids per query. Herald sends one number per job, so the answer has as many rows. */
export const JOBS_PER_QUERY = 50;
/** Reports older than this are not asked for any more: the message stays `sent`. */
export const REPORT_MAX_AGE_HOURS = 72;
/** A still-pending message is asked for again after this; the claim holds it that long. */
const REPOLL_SECONDS = 55;
/** Netgsm reports in Turkish time (UTC+3 all year since 2016). */
const TURKEY_OFFSET_MS = 3 * 3600_000;

interface StatusMeaning {
  type: Extract<WebhookEventType, "delivered" | "failed">;
  /** `undelivered`: the network tried and gave up; anything else ends `failed`. */
  providerEvent: string;
  errorCode?: string;
  reason?: string;
}

/** Netgsm delivery statuses. 0 (pending) is absent: it changes nothing and is asked for again. */
export function netgsmStatusMeaning(status: number): StatusMeaning | undefined {
  if (status === 1) return { type: "delivered", providerEvent: "1 delivered" };
  if (status === 2) return { type: "failed", providerEvent: "undelivered", errorCode: "netgsm_2", reason: "Netgsm 2: expired before reaching the handset" };
  if (status === 3) return { type: "failed", providerEvent: "3 invalid number", errorCode: "invalid_recipient", reason: "Netgsm 3: invalid recipient number" };
  if (status === 4) return { type: "failed", providerEvent: "4 not sent", errorCode: "netgsm_4", reason: "Netgsm 4: not sent" };
  if (status >= 11 && status <= 17) {
    return { type: "failed", providerEvent: `${status} rejected`, errorCode: `netgsm_${status}`, reason: `Netgsm ${status}: rejected (operator, blacklist, IYS, duplicate or credit)` };
  }
  return undefined;
}

/** Netgsm's `dd.MM.yyyy HH:mm:ss` in Turkish time; an ISO time is read as is. */
function reportTime(v: unknown): Date | undefined {
  const s = strOf(v);
  if (!s) return undefined;
  const m = /^(\d{2})\.(\d{2})\.(\d{4}) (\d{2}):(\d{2})(?::(\d{2}))?$/.exec(s);
  const t = m ? Date.UTC(+m[3]!, +m[2]! - 1, +m[1]!, +m[4]!, +m[5]!, +(m[6] ?? 0)) - TURKEY_OFFSET_MS : Date.parse(s);
  return Number.isFinite(t) ? new Date(t) : undefined;
}

function turkishTime(d: Date): string {
  const t = new Date(d.getTime() + TURKEY_OFFSET_MS);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(t.getUTCDate())}.${p(t.getUTCMonth() + 1)}.${t.getUTCFullYear()} ${p(t.getUTCHours())}:${p(t.getUTCMinutes())}:${p(t.getUTCSeconds())}`;
}

/** The report's rows as provider events: one per job and status, so a repeated answer records nothing new. */
export function reportEvents(body: unknown, asked: Set<string>, now: Date): NormalizedEvent[] {
  const jobs = rec(body)?.jobs;
  const events: NormalizedEvent[] = [];
  for (const job of Array.isArray(jobs) ? jobs : []) {
    if (!isRecord(job)) continue;
    const jobid = strOf(job.jobid);
    const status = Number(job.status);
    // Only what was asked for: a row for another job id is not this query's to apply.
    if (!jobid || !asked.has(jobid) || !Number.isInteger(status)) continue;
    const meaning = netgsmStatusMeaning(status);
    if (!meaning) continue;
    const telno = strOf(job.telno);
    events.push({
      eventKey: `${jobid}:${status}`,
      type: meaning.type,
      providerEvent: meaning.providerEvent,
      occurredAt: (meaning.type === "delivered" ? reportTime(job.deliveredDate) : undefined) ?? now,
      providerMessageId: jobid,
      ...(telno ? { recipient: /^5\d{9}$/.test(telno) ? `+90${telno}` : telno } : {}),
      ...(meaning.errorCode ? { errorCode: meaning.errorCode } : {}),
      ...(meaning.reason ? { reason: meaning.reason } : {}),
      payload: job,
    });
  }
  return events;
}

export interface PollSummary {
  configs: number;
  queries: number;
  /** Job ids asked for. */
  jobs: number;
  /** Events recorded for the first time (a repeated answer records none). */
  recorded: number;
  /** Jobs Netgsm still reports pending (status 0) or did not list. */
  pending: number;
  /** Configs Netgsm answered code 80 (rate limit): their bucket is emptied and the claims released. */
  rateLimited: number;
  failed: number;
}

export interface PollOptions {
  now?: Date;
  jobsPerQuery?: number;
  /** Only these configs (a test, or a manual run for one tenant). */
  configIds?: string[];
}

const bucketKey = (usercode: string) => `netgsm-report:${createHash("sha256").update(usercode).digest("hex").slice(0, 24)}`;

/** Asks Netgsm for the reports of every config's sent messages still waiting for one. */
export async function pollNetgsmReports(opts: PollOptions = {}): Promise<PollSummary> {
  const now = opts.now ?? new Date();
  const sentAfter = new Date(now.getTime() - REPORT_MAX_AGE_HOURS * 3600_000);
  const summary: PollSummary = { configs: 0, queries: 0, jobs: 0, recorded: 0, pending: 0, rateLimited: 0, failed: 0 };
  // Paused configs send nothing new, but what they sent still gets its report; `error` configs fail auth.
  const configs = await listConfigsAwaitingReports(getDb(), { provider: "netgsm", statuses: ["active", "paused"], sentAfter });
  for (const c of configs) {
    if (opts.configIds && !opts.configIds.includes(c.id)) continue;
    summary.configs++;
    try {
      await pollConfig(c, { now, sentAfter, jobsPerQuery: opts.jobsPerQuery ?? JOBS_PER_QUERY }, summary);
    } catch (err) {
      // One config's fault (a missing secret, Netgsm unreachable) must not starve the others.
      summary.failed++;
      logger.warn({ configId: c.id, err: errorText(err) }, "netgsm report poll failed for a config");
    }
  }
  return summary;
}

async function pollConfig(c: { id: string; tenantId: string }, o: { now: Date; sentAfter: Date; jobsPerQuery: number }, summary: PollSummary) {
  const db = getDb();
  const config = (await findConfigRecord(c.tenantId, c.id)) as ConfigOf<"netgsm"> | undefined;
  if (!config) return;
  const credentials = await resolveCredentials(config);
  const usercode = needCredential(credentials, "usercode_ref");
  const claimed = await claimMessagesAwaitingReport(db, { tenantId: c.tenantId, configId: c.id, sentAfter: o.sentAfter, limit: o.jobsPerQuery * REPORT_BURST, leaseSeconds: REPOLL_SECONDS });
  if (claimed.length === 0) return;
  const batches: ClaimedReport[][] = [];
  for (let i = 0; i < claimed.length; i += o.jobsPerQuery) batches.push(claimed.slice(i, i + o.jobsPerQuery));
  // The limit is Netgsm's, per account: the bucket is keyed by the user code (hashed), not the config.
  const store = await limiterStore();
  const key = bucketKey(usercode);
  const { granted } = await store.takeTokens({ key, rate: REPORT_RATE_PER_SECOND, burst: REPORT_BURST, want: batches.length });
  // Claims without a query this minute go back at once, still first in line.
  await releaseReportClaims(db, { tenantId: c.tenantId, ids: batches.slice(granted).flat().map((m) => m.id) });

  const authorization = basicAuth(usercode, needCredential(credentials, "password_ref"));
  for (const [i, batch] of batches.slice(0, granted).entries()) {
    const jobids = batch.map((m) => m.providerMessageId);
    const oldest = Math.min(...batch.map((m) => m.sentAt.getTime()));
    summary.queries++;
    summary.jobs += jobids.length;
    const answer = await httpRequest(`${baseUrlOf(config)}/sms/rest/v2/report`, {
      method: "POST",
      headers: { authorization, "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({
        jobids,
        // A minute of slack: Netgsm stamps the job with its own clock.
        startdate: turkishTime(new Date(oldest - 60_000)),
        stopdate: turkishTime(o.now),
        pagenumber: 0,
        pagesize: jobids.length,
      }),
      timeoutMs: DEFAULT_PROVIDER_TIMEOUT_MS,
    });
    const code = str(rec(answer.body)?.code);
    if (code === "80") {
      // Another caller (a Netgsm panel, a second system on the account) used the minute: empty the
      // bucket so the next query waits for its refill, and give the rest back unasked.
      await store.takeTokens({ key, rate: REPORT_RATE_PER_SECOND, burst: REPORT_BURST, want: REPORT_BURST });
      await releaseReportClaims(db, { tenantId: c.tenantId, ids: batches.slice(i, granted).flat().map((m) => m.id) });
      summary.rateLimited++;
      logger.warn({ configId: c.id }, "netgsm report API answered 80 (rate limit); backing off");
      return;
    }
    // 60: no records for these job ids yet (too fresh for the report): nothing to apply.
    if (code === "60") {
      summary.pending += jobids.length;
      continue;
    }
    if (code !== "00" || answer.status < 200 || answer.status >= 300) {
      // Bad credentials (30) or Netgsm's own fault (100/101) refuse the next batch too: stop, hand
      // the unasked ones back; this batch is asked again when its claim lapses.
      await releaseReportClaims(db, { tenantId: c.tenantId, ids: batches.slice(i + 1, granted).flat().map((m) => m.id) });
      summary.failed++;
      logger.warn({ configId: c.id, httpStatus: answer.status, code: code ?? null }, "netgsm report query refused");
      return;
    }
    const events = reportEvents(answer.body, new Set(jobids), o.now);
    summary.pending += jobids.length - new Set(events.map((e) => e.providerMessageId)).size;
    if (events.length === 0) continue;
    const receipt = await recordProviderEvents({ config, verification: "polled", events });
    summary.recorded += receipt.recorded;
  }
}
