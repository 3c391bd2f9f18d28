// One attempt of one webhook delivery: claim it, sign, POST, record the outcome and schedule the next attempt.
import { getDb, withTransientRetry } from "@/db";
import {
  claimWebhookDelivery,
  exhaustOpenDeliveries,
  findWebhookDelivery,
  findWebhookEndpoint,
  finishDeliveryAttempt,
  insertDeliveryAttempt,
  recordEndpointSuccess,
  updateWebhookEndpoint,
} from "@/db/queries/outbound-webhooks";
import { exhaustWebhookDeliveries } from "@/db/queries/stuck-work";
import type { WebhookDeliveryStatus, WebhookEndpoint } from "@/db/schema/outbound-webhooks";
import { emitEvent } from "@/lib/jobs/emit";
import { deterministicUuid } from "@/lib/jobs/run-id";
import { logger } from "@/lib/logger";
import { alertWebhookEndpointDisabled } from "@/lib/alerts/ops-alerts";
import { resolveSecretRef } from "@/lib/secrets/store";
import { ATTEMPT_TIMEOUT_MS, disableAfterMs, nextAttemptAt, parseRetryAfter } from "./schedule";
import { signatureHeaders } from "./signing";
import { assertPublicUrl, UrlRefused, type Resolver } from "@/lib/net/url-guard";
import { postWebhook, type HttpResult } from "@/lib/net/post-webhook";

/** An attempt in flight longer than this is taken to have died with its worker and is made again. */
export const ATTEMPT_LEASE_MS = ATTEMPT_TIMEOUT_MS + 45_000;

export interface DeliveryDeps {
  /** The clock: scheduling, the failure window and `webhook-timestamp` all read it (tests advance it). */
  now?: () => Date;
  resolve?: Resolver;
  allowLoopback?: boolean;
  random?: () => number;
  timeoutMs?: number;
  /** The retry waits (default: `retryDelaysMs()`, i.e. HERALD_WEBHOOK_RETRY_DELAYS_MS or the Standard Webhooks schedule). */
  delaysMs?: readonly number[];
}

export type AttemptOutcome =
  | { kind: "superseded" }
  /** Another run holds this attempt; a re-check is scheduled for when its lease runs out. */
  | { kind: "in_progress"; recheckAt: string }
  | { kind: "attempted"; status: WebhookDeliveryStatus; responseCode: number | null; nextAttemptAt: Date | null; endpointDisabled: boolean };

/** The secrets that sign now: the current one, plus the previous one during its overlap. */
async function liveSecrets(endpoint: WebhookEndpoint, now: Date): Promise<string[]> {
  const db = getDb();
  const secrets = [await resolveSecretRef(db, endpoint.tenantId, endpoint.secretRef)];
  if (endpoint.previousSecretRef && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now) {
    try {
      secrets.push(await resolveSecretRef(db, endpoint.tenantId, endpoint.previousSecretRef));
    } catch (err) {
      logger.warn({ endpointId: endpoint.id, err }, "previous webhook secret unavailable; signing with the current one only");
    }
  }
  return secrets;
}

function describeFailure(r: HttpResult): string {
  return r.error ?? `HTTP ${r.status}`;
}

/**
 * Makes attempt `expectedAttempt + 1` of a delivery, at most once: the claim is a conditional
 * update, so a re-run (or a stale scheduled event) after the attempt was taken sends nothing.
 */
export async function attemptWebhookDelivery(
  input: { tenantId: string; deliveryId: string; expectedAttempt: number },
  deps: DeliveryDeps = {},
): Promise<AttemptOutcome> {
  const db = getDb();
  const now = (deps.now ?? (() => new Date()))();
  const current = await findWebhookDelivery(db, { tenantId: input.tenantId, id: input.deliveryId });
  if (!current) return { kind: "superseded" };
  const endpoint = await findWebhookEndpoint(db, { tenantId: input.tenantId, id: current.endpointId });
  if (!endpoint) return { kind: "superseded" };
  if (endpoint.status !== "enabled") {
    await exhaustOpenDeliveries(db, { tenantId: input.tenantId, endpointId: endpoint.id, reason: `endpoint disabled: ${endpoint.disabledReason ?? "by a user"}` });
    return { kind: "superseded" };
  }

  const claimed = await claimWebhookDelivery(db, { tenantId: input.tenantId, id: input.deliveryId, expectedAttempt: input.expectedAttempt, now, leaseMs: ATTEMPT_LEASE_MS });
  if (!claimed) {
    const again = await findWebhookDelivery(db, { tenantId: input.tenantId, id: input.deliveryId });
    if (again?.status !== "delivering" || again.attemptCount !== input.expectedAttempt + 1) return { kind: "superseded" };
    // Someone holds the attempt — a live worker, or one that died after posting. Look again when
    // its lease is up (the claim takes a stale attempt over). A scheduled event, not a run retry:
    // the engine's retry budget is not spent waiting, and the wait holds no worker.
    const recheckAt = new Date((again.lastAttemptAt ?? now).getTime() + ATTEMPT_LEASE_MS + 1000);
    await emitEvent(
      "herald/webhook-delivery.due",
      { tenantId: input.tenantId, deliveryId: again.id, attempt: input.expectedAttempt },
      {
        tenantId: input.tenantId,
        id: deterministicUuid("webhook-delivery-lease", again.id, String(again.attemptCount), (again.lastAttemptAt ?? now).toISOString()),
        startAfter: recheckAt,
      },
    );
    return { kind: "in_progress", recheckAt: recheckAt.toISOString() };
  }

  const body = JSON.stringify(claimed.payload);
  let result: HttpResult;
  try {
    const { url } = await assertPublicUrl(endpoint.url, { resolve: deps.resolve, allowLoopback: deps.allowLoopback });
    const headers = signatureHeaders(await liveSecrets(endpoint, now), { id: claimed.eventId, timestamp: Math.floor(now.getTime() / 1000), body });
    result = await postWebhook(url, body, headers, { timeoutMs: deps.timeoutMs ?? ATTEMPT_TIMEOUT_MS, resolve: deps.resolve, allowLoopback: deps.allowLoopback });
  } catch (err) {
    if (!(err instanceof UrlRefused)) throw err;
    result = { status: null, body: null, retryAfter: null, latencyMs: 0, error: `refused: ${err.message}` };
  }
  const finishedAt = new Date(now.getTime() + result.latencyMs);
  const ok = result.status !== null && result.status >= 200 && result.status < 300;

  // Lock order: the endpoint row first (FOR NO KEY UPDATE, only when the failure clock may
  // change), then the attempt insert (its foreign keys take KEY SHARE, compatible with that).
  // A deadlock or serialization victim is run again: the POST is done, only its record is retried.
  const outcome = await withTransientRetry(() => db.transaction(async (tx) => {
    const ep = ok ? endpoint : ((await findWebhookEndpoint(tx, { tenantId: input.tenantId, id: endpoint.id, forUpdate: true })) ?? endpoint);
    await insertDeliveryAttempt(tx, {
      tenantId: input.tenantId,
      deliveryId: claimed.id,
      endpointId: endpoint.id,
      attemptNumber: claimed.attemptCount,
      url: endpoint.url,
      responseCode: result.status,
      responseBody: result.body,
      latencyMs: result.latencyMs,
      error: result.error,
      outcome: ok ? "succeeded" : "failed",
      startedAt: now,
      finishedAt,
    });
    let status: WebhookDeliveryStatus;
    let next: Date | null = null;
    let disableReason: string | null = null;
    if (ok) {
      status = "succeeded";
      await recordEndpointSuccess(tx, { tenantId: input.tenantId, id: ep.id, at: finishedAt });
    } else {
      if (result.status === 410) {
        disableReason = `The endpoint answered 410 Gone on ${finishedAt.toISOString()}`;
      } else {
        const failingSince = ep.failingSince ?? now;
        if (finishedAt.getTime() - failingSince.getTime() >= disableAfterMs()) {
          const days = Math.round((finishedAt.getTime() - failingSince.getTime()) / 86_400_000);
          disableReason = `Every delivery failed for ${days >= 1 ? `${days} day(s)` : "too long"} (since ${failingSince.toISOString()}); last error: ${describeFailure(result)}`;
        } else {
          const retryAfterMs = result.status === 429 || result.status === 503 ? parseRetryAfter(result.retryAfter, finishedAt.getTime()) : undefined;
          next = nextAttemptAt({ roundAttempts: claimed.roundAttempts, now: finishedAt.getTime(), retryAfterMs, random: deps.random, delaysMs: deps.delaysMs });
        }
        if (!ep.failingSince) await updateWebhookEndpoint(tx, { tenantId: input.tenantId, id: ep.id, values: { failingSince: now } });
      }
      status = next ? "failed" : "exhausted";
      if (disableReason) {
        await updateWebhookEndpoint(tx, { tenantId: input.tenantId, id: ep.id, values: { status: "disabled", disabledReason: disableReason, disabledAt: finishedAt } });
        await exhaustOpenDeliveries(tx, { tenantId: input.tenantId, endpointId: ep.id, reason: `endpoint disabled: ${disableReason}` });
        logger.warn({ tenantId: input.tenantId, endpointId: ep.id, reason: disableReason }, "webhook endpoint disabled");
      }
    }
    const row = await finishDeliveryAttempt(tx, {
      tenantId: input.tenantId,
      id: claimed.id,
      attemptCount: claimed.attemptCount,
      values: {
        status,
        nextAttemptAt: next,
        lastResponseCode: result.status,
        lastResponseBody: result.body,
        lastLatencyMs: result.latencyMs,
        lastError: ok ? null : describeFailure(result),
        ...(ok ? { succeededAt: finishedAt } : {}),
      },
    });
    if (row && next) {
      await emitEvent(
        "herald/webhook-delivery.due",
        { tenantId: input.tenantId, deliveryId: claimed.id, attempt: claimed.attemptCount },
        { db: tx, tenantId: input.tenantId, id: deterministicUuid("webhook-delivery", claimed.id, String(claimed.attemptCount)), startAfter: next },
      );
    }
    return { kind: "attempted" as const, status, responseCode: result.status, nextAttemptAt: next, endpointDisabled: disableReason !== null, disableReason };
  }));
  // After the commit: the endpoint is disabled for good only once this transaction holds.
  if (outcome.disableReason) alertWebhookEndpointDisabled({ id: endpoint.id, tenantId: input.tenantId, url: endpoint.url }, outcome.disableReason);
  const { disableReason: _reason, ...attempted } = outcome;
  return attempted;
}

/**
 * The on-failure path of a delivery whose run failed for good (or that the sweeper found overdue):
 * it ends `exhausted` — the terminal failed state, listed in the endpoint's delivery log with the
 * reason — unless it reached a terminal state meanwhile. Resend starts it again.
 */
export async function failWebhookDelivery(input: { tenantId: string; deliveryId: string; reason: string }) {
  const rows = await exhaustWebhookDeliveries(getDb(), { tenantId: input.tenantId, ids: [input.deliveryId], reason: input.reason });
  return { failed: rows.length };
}
