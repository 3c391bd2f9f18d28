// One attempt of one webhook delivery: claim it, sign, POST, record the outcome and schedule the next attempt.
import http from "node:http";
import https from "node:https";
import { getDb } from "@/db";
import {
  claimWebhookDelivery,
  exhaustOpenDeliveries,
  findWebhookDelivery,
  findWebhookEndpoint,
  finishDeliveryAttempt,
  insertDeliveryAttempt,
  updateWebhookEndpoint,
} from "@/db/queries/outbound-webhooks";
import type { WebhookDeliveryStatus, WebhookEndpoint } from "@/db/schema/outbound-webhooks";
import { emitEvent } from "@/lib/jobs/emit";
import { deterministicUuid } from "@/lib/jobs/run-id";
import { logger } from "@/lib/logger";
import { resolveSecretRef } from "@/lib/secrets/store";
import { ATTEMPT_TIMEOUT_MS, disableAfterMs, nextAttemptAt, parseRetryAfter } from "./schedule";
import { signatureHeaders } from "./signing";
import { assertPublicWebhookUrl, guardedLookup, WebhookUrlRefused, type Resolver } from "./url-guard";

/** An attempt in flight longer than this is taken to have died with its worker and is made again. */
export const ATTEMPT_LEASE_MS = ATTEMPT_TIMEOUT_MS + 45_000;
const BODY_EXCERPT_CHARS = 1000;
const USER_AGENT = "Herald-Webhooks/1.0";

export interface DeliveryDeps {
  /** The clock: scheduling, the failure window and `webhook-timestamp` all read it (tests advance it). */
  now?: () => Date;
  resolve?: Resolver;
  allowLoopback?: boolean;
  random?: () => number;
  timeoutMs?: number;
}

export type AttemptOutcome =
  | { kind: "superseded" }
  | { kind: "in_progress" }
  | { kind: "attempted"; status: WebhookDeliveryStatus; responseCode: number | null; nextAttemptAt: Date | null; endpointDisabled: boolean };

interface HttpResult {
  status: number | null;
  body: string | null;
  retryAfter: string | null;
  latencyMs: number;
  error: string | null;
}

/** POSTs without following redirects, through the SSRF-guarded lookup, within one overall timeout. */
export function postWebhook(
  url: URL,
  body: string,
  headers: Record<string, string>,
  opts: { timeoutMs: number; resolve?: Resolver; allowLoopback?: boolean },
): Promise<HttpResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: Omit<HttpResult, "latencyMs">) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ ...r, latencyMs: elapsed() });
    };
    const lib = url.protocol === "https:" ? https : http;
    const req = lib.request(url, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(body), "user-agent": USER_AGENT },
      lookup: guardedLookup({ resolve: opts.resolve, allowLoopback: opts.allowLoopback }),
      agent: false,
    });
    const timer = setTimeout(() => {
      req.destroy();
      finish({ status: null, body: null, retryAfter: null, error: `timed out after ${opts.timeoutMs / 1000} s` });
    }, opts.timeoutMs);
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        if (size < 4096) chunks.push(c);
        size += c.length;
        if (size > 64 * 1024) res.destroy();
      });
      const end = () =>
        finish({
          status: res.statusCode ?? null,
          body: Buffer.concat(chunks).toString("utf8").slice(0, BODY_EXCERPT_CHARS),
          retryAfter: typeof res.headers["retry-after"] === "string" ? res.headers["retry-after"] : null,
          error: null,
        });
      res.on("end", end);
      res.on("close", end);
      res.on("error", end);
    });
    req.on("error", (err: NodeJS.ErrnoException) => {
      const refused = err instanceof WebhookUrlRefused || err.code === "EWEBHOOKREFUSED";
      finish({ status: null, body: null, retryAfter: null, error: refused ? `refused: ${err.message}` : `${err.code ?? "error"}: ${err.message}` });
    });
    req.end(body);
  });
}

/** The secrets that sign now: the current one, plus the previous one during its overlap. */
async function liveSecrets(endpoint: WebhookEndpoint, now: Date): Promise<string[]> {
  const db = getDb();
  const secrets = [await resolveSecretRef(db, endpoint.tenantId, endpoint.secretRef)];
  if (endpoint.previousSecretRef && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now) {
    try {
      secrets.push(await resolveSecretRef(db, endpoint.tenantId, endpoint.previousSecretRef));
    } catch (err) {
      logger.warn({ endpointId: endpoint.id, err: (err as Error).message }, "previous webhook secret unavailable; signing with the current one only");
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
    return again?.status === "delivering" && again.attemptCount === input.expectedAttempt + 1 ? { kind: "in_progress" } : { kind: "superseded" };
  }

  const body = JSON.stringify(claimed.payload);
  let result: HttpResult;
  try {
    const { url } = await assertPublicWebhookUrl(endpoint.url, { resolve: deps.resolve, allowLoopback: deps.allowLoopback });
    const headers = signatureHeaders(await liveSecrets(endpoint, now), { id: claimed.eventId, timestamp: Math.floor(now.getTime() / 1000), body });
    result = await postWebhook(url, body, headers, { timeoutMs: deps.timeoutMs ?? ATTEMPT_TIMEOUT_MS, resolve: deps.resolve, allowLoopback: deps.allowLoopback });
  } catch (err) {
    if (!(err instanceof WebhookUrlRefused)) throw err;
    result = { status: null, body: null, retryAfter: null, latencyMs: 0, error: `refused: ${err.message}` };
  }
  const finishedAt = new Date(now.getTime() + result.latencyMs);
  const ok = result.status !== null && result.status >= 200 && result.status < 300;

  return db.transaction(async (tx) => {
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
    const ep = (await findWebhookEndpoint(tx, { tenantId: input.tenantId, id: endpoint.id, forUpdate: true })) ?? endpoint;
    let status: WebhookDeliveryStatus;
    let next: Date | null = null;
    let disableReason: string | null = null;
    if (ok) {
      status = "succeeded";
      await updateWebhookEndpoint(tx, { tenantId: input.tenantId, id: ep.id, values: { failingSince: null, lastSuccessAt: finishedAt } });
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
          next = nextAttemptAt({ roundAttempts: claimed.roundAttempts, now: finishedAt.getTime(), retryAfterMs, random: deps.random });
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
    return { kind: "attempted" as const, status, responseCode: result.status, nextAttemptAt: next, endpointDisabled: disableReason !== null };
  });
}
