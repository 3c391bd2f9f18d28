// The alerts Herald raises about itself, worded once: circuit breakers, provider configs in
// `error`, dead letters piling up, quota burn, failing integrations, disabled webhook endpoints.
import { getDb } from "@/db";
import { claimAlertMark } from "@/db/queries/alerts";
import { BoundedMap } from "@/lib/bounded-map";
import { positiveNumberEnv } from "@/lib/env";
import { logger } from "@/lib/logger";
import { raiseAlert } from "./raise-alert";

interface ConfigRef {
  id: string;
  tenantId: string;
  provider?: string;
  displayName?: string;
}

const configName = (c: ConfigRef) => `${c.displayName ?? c.id}${c.provider ? ` (${c.provider})` : ""}`;

export function alertBreakerOpened(config: ConfigRef, reason: string): void {
  raiseAlert({
    kind: "breaker_opened",
    severity: "warning",
    title: `Circuit breaker opened: ${configName(config)}`,
    text: `Routing skips this config until a probe message succeeds. Reason: ${reason}`,
    tenantId: config.tenantId,
    dedupeKey: config.id,
  });
}

export function alertBreakerClosed(config: ConfigRef, reason: string): void {
  raiseAlert({
    kind: "breaker_closed",
    severity: "info",
    title: `Circuit breaker closed: ${configName(config)}`,
    text: `The config sends again (${reason}).`,
    tenantId: config.tenantId,
    dedupeKey: config.id,
  });
}

export function alertConfigError(config: ConfigRef, from: string, message: string): void {
  raiseAlert({
    kind: "config_error",
    severity: "error",
    title: `Provider config moved to error: ${configName(config)}`,
    text: `It was ${from}; it sends nothing until a passing test. The provider said: ${message}`,
    tenantId: config.tenantId,
    dedupeKey: config.id,
  });
}

export function alertWebhookEndpointDisabled(endpoint: { id: string; tenantId: string; url: string }, reason: string): void {
  let host = "";
  try {
    host = new URL(endpoint.url).host; // the path and query may hold the tenant's own tokens
  } catch {
    // keep it empty
  }
  raiseAlert({
    kind: "webhook_endpoint_disabled",
    severity: "warning",
    title: `Outbound webhook endpoint disabled: ${host || endpoint.id}`,
    text: `${reason}\nEnable it again under Webhooks → Outbound webhooks once the receiver works; its pending deliveries ended as exhausted (Resend replays them).`,
    tenantId: endpoint.tenantId,
    dedupeKey: endpoint.id,
  });
}

/**
 * For integrations (Customer.io, Kommo, …): an integration that keeps failing — a sync that
 * errors, credentials refused, a dead-lettered request. Call it where the failure is recorded;
 * repeats within the dedupe window are counted, not repeated.
 */
export function alertIntegrationFailed(input: { tenantId: string; integration: string; integrationId?: string; message: string; severity?: "warning" | "error" }): void {
  raiseAlert({
    kind: "integration_failed",
    severity: input.severity ?? "error",
    title: `Integration failing: ${input.integration}`,
    text: input.message,
    tenantId: input.tenantId,
    dedupeKey: input.integrationId ?? input.integration,
  });
}

/** OTP sends to a prefix or country were stopped for suspected SMS pumping (lifted on the OTP page). */
export function alertOtpPumpingBlocked(input: { tenantId: string; kind: "prefix" | "country"; value: string; reason: string }): void {
  raiseAlert({
    kind: "otp_pumping_blocked",
    severity: "warning",
    title: `OTP sends blocked for suspected SMS pumping: ${input.kind} ${input.value}`,
    text: `${input.reason}. Review and lift it on the OTP page.`,
    tenantId: input.tenantId,
    dedupeKey: `${input.kind}:${input.value}`,
  });
}

const HOUR = 3_600_000;
// Per tenant and hour; bounded like every map keyed by ids from outside this process.
const deadLetterCounts = new BoundedMap<string, number>(10_000);

/** Dead letters per tenant and hour that raise an alert (HERALD_ALERT_DEAD_LETTERS_PER_HOUR, 10). */
export function deadLetterThreshold(env: NodeJS.ProcessEnv = process.env): number {
  return Math.floor(positiveNumberEnv("HERALD_ALERT_DEAD_LETTERS_PER_HOUR", 10, env));
}

/**
 * Counts dead letters where they are made (messages that exhausted their routes, events the
 * broker refused, workflow runs that failed for good). The process that sees a tenant's
 * threshold crossed in an hour raises one alert for that hour — once across processes, by a mark
 * in Postgres. Counted per process: the alert is about a pile-up, which every process sees.
 */
export function noteDeadLetters(tenantId: string | null, count: number, what: string, now = Date.now()): void {
  if (count <= 0) return;
  const hour = Math.floor(now / HOUR);
  const key = `${tenantId ?? "deployment"}:${hour}`;
  const before = deadLetterCounts.get(key) ?? 0;
  const after = before + count;
  deadLetterCounts.set(key, after);
  const threshold = deadLetterThreshold();
  if (before >= threshold || after < threshold) return;
  void claimAlertMark(getDb(), { key: `dead_letters:${key}`, tenantId })
    .then((first) => {
      if (!first) return;
      raiseAlert({
        kind: "dead_letters",
        severity: "error",
        title: `Dead letters piling up: ${after}+ this hour`,
        text: `At least ${threshold} dead letters since ${new Date(hour * HOUR).toISOString().slice(11, 16)} UTC (latest: ${what}). See Messages → Dead letters to inspect and replay them.`,
        tenantId,
        dedupeKey: String(hour),
      });
    })
    .catch((err: unknown) => logger.warn({ err }, "could not record the dead-letter alert mark"));
}
