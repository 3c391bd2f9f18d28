// One delivery attempt of a message along its route: the rules of retry, fallback and failure.
import { getDb } from "@/db";
import {
  DELIVERABLE_STATUSES,
  findCommunicationEventForMessage,
  findMessageForDelivery,
  finishMessage,
  recordIntermediateAttempt,
  type AttemptRow,
} from "@/db/queries/message-delivery";
import { releaseScheduledMessage } from "@/db/queries/scheduled-messages";
import type { Message, RouteHop } from "@/db/schema/messages";
import type { ProviderKind } from "@/db/schema/provider-configs";
import { LocalCache } from "@/lib/cache/local-cache";
import { logger } from "@/lib/logger";
import { countMessageOutcome, observeProviderCall } from "@/lib/metrics/record";
import { noteDeadLetters } from "@/lib/alerts/ops-alerts";
import { enqueueCommunicationEventWebhooks } from "@/lib/outbound-webhooks/enqueue";
import { deactivateDeviceToken } from "@/lib/messaging/device-tokens";
import { DEFAULT_PROVIDER_TIMEOUT_MS, ProviderSendError, pushTarget, str, type OutboundMessage, type SendResult } from "@/lib/providers/adapter";
import { refusedHost } from "@/lib/net/provider-hosts";
import { providerDefinitions, pushAddressOf } from "@/lib/providers/definitions";
import { adapterFor } from "@/lib/providers/registry";
import { callbackUrlFor } from "@/lib/providers/callback-urls";
import { findConfigRecord, resolveCredentials, type ProviderConfigRecord, type ResolvedCredentials } from "@/lib/providers/config-record";
import { markConfigError } from "@/lib/providers/config-lifecycle";
import { redactValues } from "@/lib/providers/credential-checks";
import { checkBreaker, recordBreakerOutcome } from "@/lib/providers/circuit-breaker";
import { limitsFor, withSendLimit } from "@/lib/providers/limiter";
import { sendOtpMessage, settleOtpMessage, otpRefOf } from "@/lib/otp/delivery";
import { takeConfigSendToken } from "./fair-share";
import { wakeBrokerOutbox } from "@/lib/broker/outbox-publisher";
import { communicationExchange, failedEnvelope, sentEnvelope, type CommErrorCode } from "./communication-events";
import { mediaAccess, mediaLinkUrl } from "@/lib/media/delivery-media";


/** Where the workflow stands: which hop of the route, and how many calls that hop has had. */
export interface AttemptCursor {
  hop: number;
  tryInHop: number;
}

export type AttemptResult =
  | { kind: "done"; status: "sent" | "failed" | "noop"; eventId: string | null }
  | { kind: "retry"; hop: number; tryInHop: number; waitMs: number }
  /** No hop can take it now (breakers open, config send rate used up): run again in waitMs. */
  | { kind: "defer"; waitMs: number; reason: string };

export interface DeliveryPolicy {
  /** Provider calls per hop before falling back (retryable errors only). */
  hopAttempts: number;
  /** First backoff; doubles per retry, with jitter, capped at maxBackoffMs. */
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** A Retry-After longer than this falls back to the next hop instead of waiting (when there is one). */
  maxRetryAfterMs: number;
  timeoutMs: number;
  /** OTP messages: the shortest provider timeout, so a hung provider falls back quickly. */
  otpTimeoutMs: number;
  /** How long a message waits for an open breaker (no fallback) before it fails. */
  maxBreakerWaitMs: number;
}

export function deliveryPolicy(env: NodeJS.ProcessEnv = process.env): DeliveryPolicy {
  const n = (name: string, fallback: number) => {
    const v = Number(env[name]);
    return Number.isFinite(v) && v > 0 ? v : fallback;
  };
  return {
    hopAttempts: Math.floor(n("HERALD_DELIVERY_HOP_ATTEMPTS", 3)),
    baseBackoffMs: n("HERALD_DELIVERY_BACKOFF_MS", 500),
    maxBackoffMs: n("HERALD_DELIVERY_MAX_BACKOFF_MS", 8_000),
    maxRetryAfterMs: n("HERALD_DELIVERY_MAX_RETRY_AFTER_MS", 30_000),
    timeoutMs: n("HERALD_PROVIDER_TIMEOUT_MS", DEFAULT_PROVIDER_TIMEOUT_MS),
    otpTimeoutMs: n("HERALD_OTP_PROVIDER_TIMEOUT_MS", 3_000),
    maxBreakerWaitMs: n("HERALD_BREAKER_MAX_WAIT_SECONDS", 900) * 1000,
  };
}

export function backoffMs(tryInHop: number, policy: DeliveryPolicy, random = Math.random): number {
  const base = Math.min(policy.maxBackoffMs, policy.baseBackoffMs * 2 ** tryInHop);
  return Math.round(base * (0.5 + random() / 2));
}

// ---------------------------------------------------------------------------------------------
// Config + credentials, cached per process. A change to the config or one of its secrets, made
// by any process, NOTIFYs the cache bus and drops the entry everywhere at once; without the bus
// (starting, reconnecting) entries live a second.

const HEARD_TTL_MS = 60_000;
const UNHEARD_TTL_MS = 1_000;

interface CachedSecrets {
  stamp: string;
  credentials: ResolvedCredentials;
  callbackUrl: string | undefined;
}
const secretsCache = new LocalCache<CachedSecrets>({ max: 1000, ttlMs: HEARD_TTL_MS, unheardTtlMs: UNHEARD_TTL_MS });

/** The rows a config's decrypted credentials come from: the config and each `secret:<id>` it refers to (callback token too). */
function secretTags(config: ProviderConfigRecord): string[] {
  const tags = [`provider_configs:${config.id}`];
  for (const ref of [...Object.values(config.credentials), config.callbackTokenRef ?? ""]) {
    if (ref.startsWith("secret:")) tags.push(`secrets:${ref.slice("secret:".length).toLowerCase()}`);
  }
  return tags;
}

async function secretsFor(config: ProviderConfigRecord): Promise<CachedSecrets> {
  const stamp = `${config.updatedAt.getTime()}:${JSON.stringify(config.credentials)}`;
  const hit = secretsCache.get(config.id);
  if (hit && hit.stamp === stamp) return hit;
  return secretsCache.refresh(
    config.id,
    async () => ({
      stamp,
      credentials: await resolveCredentials(config),
      // Providers with a derived callback URL take it per message (delivery reports, status callbacks).
      callbackUrl: providerDefinitions[config.provider].derived.length > 0 ? await callbackUrlFor(config) : undefined,
    }),
    () => secretTags(config),
  );
}

/** Config records, so a burst of deliveries doesn't re-read and re-validate the same row per message. */
const configCache = new LocalCache<ProviderConfigRecord | null>({ max: 5000, ttlMs: HEARD_TTL_MS, unheardTtlMs: UNHEARD_TTL_MS });

async function configFor(tenantId: string, id: string): Promise<ProviderConfigRecord | undefined> {
  const config = await configCache.getOrLoad(
    `${tenantId}:${id}`,
    async () => (await findConfigRecord(tenantId, id)) ?? null,
    () => [`provider_configs:${id}`],
  );
  return config ?? undefined;
}

function forgetConfig(tenantId: string, id: string) {
  configCache.delete(`${tenantId}:${id}`);
}

// ---------------------------------------------------------------------------------------------

function outbound(message: Message): OutboundMessage {
  return {
    id: message.id,
    tenantId: message.tenantId,
    channel: message.channel,
    recipient: message.recipient,
    providerReference: message.providerReference,
    templateId: message.templateId,
    payload: message.payload,
  };
}

/**
 * A push image given as a stored media becomes a signed URL, made per attempt (so a retry days
 * later still hands the device a live one) and valid long enough for the device to fetch it.
 */
async function withMediaLinks(m: OutboundMessage): Promise<OutboundMessage> {
  const id = str(m.payload.image_media_id);
  if (!id) return m;
  const { image_media_id: _id, ...rest } = m.payload;
  return { ...m, payload: { ...rest, image_url: await mediaLinkUrl(m.tenantId, id) } };
}

/** What the attempt row says was asked: routing facts and sizes, never credentials or bodies. */
function requestSummary(message: Message, config: ProviderConfigRecord | undefined, hop: RouteHop, timeoutMs?: number) {
  const p = message.payload;
  return {
    channel: message.channel,
    to: message.recipient,
    config_name: config?.displayName ?? null,
    provider_reference: message.providerReference,
    ...(str(p.subject) ? { subject: str(p.subject) } : {}),
    ...(message.templateId ? { template_id: message.templateId } : {}),
    ...(str(p.template_name) ? { template_name: str(p.template_name) } : {}),
    ...(str(p.body) ? { body_chars: str(p.body)!.length } : {}),
    ...(str(p.body_text) ? { body_text_chars: str(p.body_text)!.length } : {}),
    ...(str(p.body_html) ? { body_html_chars: str(p.body_html)!.length } : {}),
    ...(Array.isArray(p.attachments) && p.attachments.length ? { attachments: p.attachments.length } : {}),
    ...(p.media && typeof p.media === "object" ? { media_type: (p.media as { type?: unknown }).type } : {}),
    ...(timeoutMs ? { timeout_ms: timeoutMs } : {}),
    hop: hop.provider,
  };
}

function commCode(err: ProviderSendError): CommErrorCode {
  switch (err.kind) {
    case "invalid_recipient":
      return "COMM_INVALID_RECIPIENT";
    case "unregistered_token":
      return "COMM_DEVICE_UNREGISTERED";
    case "rate_limited":
      return "COMM_RATE_LIMITED";
    case "retryable":
      return "COMM_PROVIDER_UNAVAILABLE";
    case "auth":
      return "COMM_PROVIDER_AUTH";
    case "rejected":
      return "COMM_PROVIDER_REJECTION";
  }
}

function describeError(err: ProviderSendError, provider: ProviderKind): string {
  const status = err.httpStatus ? `HTTP ${err.httpStatus}` : err.code;
  return `${provider} ${status}: ${err.message}`.slice(0, 1000);
}

function toSendError(err: unknown, credentials: ResolvedCredentials): ProviderSendError {
  const refused = err instanceof ProviderSendError ? undefined : refusedHost(err);
  const e =
    err instanceof ProviderSendError
      ? err
      : refused
        ? new ProviderSendError({ kind: "auth", code: "host_refused", httpStatus: null, message: refused.message, cause: err })
        : new ProviderSendError({ kind: "retryable", code: "adapter_error", httpStatus: null, message: err instanceof Error ? err.message : String(err), cause: err });
  const message = redactValues(e.message, Object.values(credentials)).slice(0, 1000);
  return message === e.message
    ? e
    : new ProviderSendError({ kind: e.kind, code: e.code, httpStatus: e.httpStatus, message, retryAfterMs: e.retryAfterMs, cause: e.cause });
}

async function finishFailed(
  message: Message,
  input: {
    fromStatus: Message["status"];
    code: CommErrorCode;
    errorMessage: string;
    retryable: boolean;
    provider: ProviderKind | null;
    configId: string | null;
    attempt: AttemptRow | null;
    countsAsCall: boolean;
  },
): Promise<AttemptResult> {
  const at = new Date();
  const done = await finishMessage(getDb(), {
    tenantId: message.tenantId,
    messageId: message.id,
    fromStatus: input.fromStatus,
    toStatus: "failed",
    reason: `${input.code}: ${input.errorMessage}`,
    attempt: input.attempt,
    countsAsCall: input.countsAsCall,
    message: {
      ...(input.provider ? { provider: input.provider, configId: input.configId } : {}),
      errorCode: input.code,
      errorMessage: input.errorMessage,
      retryable: input.retryable,
    },
    at,
    event: (attemptCount) => ({
      name: "communication.failed.v1",
      exchange: communicationExchange(),
      routingKey: "communication.failed.v1",
      payload: failedEnvelope(message, {
        provider: input.provider ?? message.provider ?? null,
        attempt: attemptCount,
        failedAt: at,
        code: input.code,
        message: input.errorMessage,
        retryable: input.retryable,
      }),
    }),
    usage: { tenantId: message.tenantId, configId: input.configId, provider: input.provider, channel: message.channel, at, failed: 1 },
    afterEvent: enqueueCommunicationEventWebhooks,
    expectedAttemptCount: message.attemptCount,
  });
  if (done) {
    countMessageOutcome("failed", { channel: message.channel, provider: input.provider, code: input.code });
    // Failed with a retryable error after every route: a dead letter (Messages → Dead letters).
    if (input.retryable) noteDeadLetters(message.tenantId, 1, `message ${message.id}`);
  }
  await settleOtpMessage(message, { sent: false });
  return { kind: "done", status: done ? "failed" : "noop", eventId: done?.event?.id ?? null };
}

/**
 * The on-failure path: a message whose delivery run failed for good, or that the stuck-work
 * sweeper found non-terminal past its deadline, ends `failed` with COMM_INTERNAL. It goes through
 * the same conditional terminal transaction as every other outcome, so the communication.failed.v1
 * event is written exactly once (and not at all if the message became terminal meanwhile), then
 * published by the broker outbox.
 */
export async function failMessageForGood(input: { tenantId: string; messageId: string; reason: string }) {
  const message = await findMessageForDelivery(getDb(), { tenantId: input.tenantId, id: input.messageId });
  if (!message || !DELIVERABLE_STATUSES.includes(message.status)) return { status: "noop" as const, eventId: null };
  const done = await finishFailed(message, {
    fromStatus: message.status,
    code: "COMM_INTERNAL",
    errorMessage: input.reason.slice(0, 1000),
    retryable: true,
    provider: null,
    configId: null,
    attempt: null,
    countsAsCall: false,
  });
  if (done.kind !== "done" || !done.eventId) return { status: done.kind === "done" ? done.status : ("noop" as const), eventId: null };
  wakeBrokerOutbox("communication_event");
  return { status: done.status, eventId: done.eventId };
}

/**
 * Runs from `cursor`: skips hops whose config isn't active (recording a `skipped` attempt), makes
 * at most ONE provider call, records it, and says what comes next. Guarded by the message row:
 * a message that is no longer queued/sending is left alone, so a re-run after a crash or a
 * duplicate job never sends a sent message again. A re-run of a call whose outcome wasn't
 * recorded repeats it with the same provider reference.
 */
export async function runDeliveryAttempt(input: {
  tenantId: string;
  messageId: string;
  cursor: AttemptCursor;
  policy?: DeliveryPolicy;
  deferredSince?: string;
}): Promise<AttemptResult> {
  return attemptOnce(input);
}

/**
 * One workflow step: an attempt. When it ended the message, its event row (committed with the
 * terminal status) is the broker outbox's to publish; waking it here publishes within
 * milliseconds when the outbox runs in this process, and at its next poll otherwise.
 */
export async function deliverStep(input: { tenantId: string; messageId: string; cursor: AttemptCursor; deferredSince?: string }): Promise<AttemptResult> {
  const result = await runDeliveryAttempt(input);
  if (result.kind === "done" && result.eventId) wakeBrokerOutbox("communication_event");
  return result;
}

async function attemptOnce(input: {
  tenantId: string;
  messageId: string;
  cursor: AttemptCursor;
  policy?: DeliveryPolicy;
  deferredSince?: string;
}): Promise<AttemptResult> {
  const policy = input.policy ?? deliveryPolicy();
  const db = getDb();
  let message = await findMessageForDelivery(db, { tenantId: input.tenantId, id: input.messageId });
  if (!message) return { kind: "done", status: "noop", eventId: null };
  if (message.status === "scheduled") {
    // A scheduled send: its job was held until send_at; an early wake waits again. Released
    // conditionally, so a cancel at the same moment either wins (nothing goes out) or loses.
    const waitMs = (message.sendAt?.getTime() ?? 0) - Date.now();
    if (waitMs > 1000) return { kind: "defer", waitMs, reason: "scheduled" };
    if (!(await releaseScheduledMessage(db, { tenantId: message.tenantId, id: message.id }))) return { kind: "done", status: "noop", eventId: null };
    message = { ...message, status: "queued" };
  }
  if (!DELIVERABLE_STATUSES.includes(message.status)) {
    // Already terminal: hand back its event so a re-run still makes sure it gets published.
    const event = await findCommunicationEventForMessage(db, { tenantId: message.tenantId, messageId: message.id });
    return { kind: "done", status: "noop", eventId: event && event.status !== "published" ? event.id : null };
  }
  const route = message.route;
  let { hop, tryInHop } = input.cursor;
  const breakerSkips: BreakerSkip[] = [];

  for (; hop < route.length; hop++, tryInHop = 0) {
    const step = route[hop]!;
    const config = await configFor(message.tenantId, step.configId);
    if (!config || config.status !== "active") {
      const now = new Date();
      await recordIntermediateAttempt(db, {
        messageId: message.id,
        tenantId: message.tenantId,
        provider: (config?.provider ?? step.provider) as ProviderKind,
        configId: config ? config.id : null,
        outcome: "skipped",
        requestSummary: requestSummary(message, config, step),
        responseCode: null,
        errorCode: config ? `config_${config.status}` : "config_missing",
        errorMessage: config ? `${config.displayName} is ${config.status}` : "The config no longer exists",
        retryable: null,
        providerReference: null,
        latencyMs: 0,
        startedAt: now,
        finishedAt: now,
        countsAsCall: false,
      });
      continue;
    }
    const gate = await checkBreaker(config, message.id);
    if (!gate.allow) {
      // Degraded: straight to the next hop. Recorded only when a later hop is tried, so a
      // message waiting out the cool-down doesn't collect a skipped row per look.
      breakerSkips.push({ config, step, gate });
      continue;
    }
    for (const skip of breakerSkips) await recordBreakerSkip(message, skip);
    return callProvider(message, config, step, { hop, tryInHop }, policy);
  }

  if (breakerSkips.length > 0) {
    // Every remaining hop is degraded: wait for the earliest half-open rather than fail now.
    const since = input.deferredSince ? Date.parse(input.deferredSince) : Date.now();
    const retryAt = Math.min(...breakerSkips.map((s) => s.gate.retryAt.getTime()));
    if (Date.now() - since < policy.maxBreakerWaitMs) {
      return { kind: "defer", waitMs: Math.max(100, retryAt - Date.now()), reason: `every config left in the route is degraded (${breakerSkips[0]!.gate.reason})` };
    }
    for (const skip of breakerSkips) await recordBreakerSkip(message, skip);
    const latest = await findMessageForDelivery(db, { tenantId: message.tenantId, id: message.id });
    if (!latest || !DELIVERABLE_STATUSES.includes(latest.status)) return { kind: "done", status: "noop", eventId: null };
    return finishFailed(latest, {
      fromStatus: latest.status,
      code: "COMM_PROVIDER_UNAVAILABLE",
      errorMessage: `Every provider config in the route stayed degraded (circuit open) for ${Math.round(policy.maxBreakerWaitMs / 1000)} s`,
      retryable: true,
      provider: null,
      configId: null,
      attempt: null,
      countsAsCall: false,
    });
  }

  // Out of hops. No provider call at all means nothing could serve it: no route.
  if (message.attemptCount === 0) {
    return finishFailed(message, {
      fromStatus: message.status,
      code: "COMM_NO_ROUTE",
      errorMessage: route.length === 0 ? "The message has no route" : "No active provider config in the route could take the message",
      retryable: false,
      provider: null,
      configId: null,
      attempt: null,
      countsAsCall: false,
    });
  }
  const code = (message.errorCode as CommErrorCode | null) ?? "COMM_PROVIDER_UNAVAILABLE";
  return finishFailed(message, {
    fromStatus: message.status,
    code,
    errorMessage: message.errorMessage ?? "Every provider in the route failed",
    retryable: message.retryable ?? true,
    provider: null,
    configId: null,
    attempt: null,
    countsAsCall: false,
  });
}

async function callProvider(
  message: Message,
  config: ProviderConfigRecord,
  hop: RouteHop,
  cursor: AttemptCursor,
  policy: DeliveryPolicy,
): Promise<AttemptResult> {
  // queued → sending is recorded with the call's outcome (same transaction), saving a commit per message.
  const fromStatus = message.status;
  const { credentials, callbackUrl } = await secretsFor(config);
  // The config's send rate is shared by every process (the rate-limit store); the in-process limiter
  // keeps only the concurrency cap.
  const limits = limitsFor(config);
  const token = await takeConfigSendToken(config.id, limits);
  if (token.kind === "defer") return { kind: "defer", waitMs: token.waitMs, reason: `${config.displayName} is at its send rate of ${limits.ratePerSecond}/s` };
  if (token.waitMs > 0) await new Promise((r) => setTimeout(r, token.waitMs));
  const startedAt = new Date();
  const t0 = performance.now();
  const otp = otpRefOf(message);
  const timeoutMs = otp ? policy.otpTimeoutMs : policy.timeoutMs;
  let result: (SendResult & { providerPin?: boolean }) | undefined;
  let error: ProviderSendError | undefined;
  try {
    const media = mediaAccess(message.tenantId, config.id);
    result = await withSendLimit(config.id, { ...limits, ratePerSecond: null }, async () =>
      otp
        ? sendOtpMessage(message, otp, config, credentials, outbound(message), { timeoutMs, callbackUrl })
        : adapterFor(config.provider).send(config as never, credentials, await withMediaLinks(outbound(message)), { timeoutMs, callbackUrl, media }),
    );
  } catch (err) {
    error = toSendError(err, credentials);
  }
  const finishedAt = new Date();
  const latencyMs = Math.round(performance.now() - t0);
  observeProviderCall(config.provider, error ? error.kind : "ok", performance.now() - t0);
  const attempt = (outcome: AttemptRow["outcome"]): AttemptRow => ({
    messageId: message.id,
    tenantId: message.tenantId,
    provider: config.provider,
    configId: config.id,
    outcome,
    requestSummary: requestSummary(message, config, hop, timeoutMs),
    responseCode: error ? error.httpStatus : 200,
    errorCode: error ? error.code : null,
    errorMessage: error ? error.message : null,
    retryable: error ? error.retryable : null,
    providerReference: result?.providerMessageId ?? message.providerReference,
    latencyMs,
    startedAt,
    finishedAt,
  });

  try {
    const settled = await settleCall(message, config, hop, cursor, policy, { fromStatus, result, error, attempt, finishedAt });
    if (otp && result && settled.kind === "done" && settled.status === "sent") {
      await settleOtpMessage(message, { sent: true, configId: config.id, providerPinId: result.providerPin ? result.providerMessageId : null });
    }
    return settled;
  } finally {
    await recordBreakerOutcome(
      config,
      message.id,
      result ? { ok: true } : { ok: false, providerLevel: isProviderLevel(error!), error: describeError(error!, config.provider) },
    );
  }
}

/** 5xx, timeouts, network errors, 429 and refused credentials say the provider (account) is unwell. */
function isProviderLevel(err: ProviderSendError): boolean {
  return err.kind === "retryable" || err.kind === "rate_limited" || err.kind === "auth";
}

interface BreakerSkip {
  config: ProviderConfigRecord;
  step: RouteHop;
  gate: { retryAt: Date; reason: string };
}

async function recordBreakerSkip(message: Message, skip: BreakerSkip) {
  const now = new Date();
  await recordIntermediateAttempt(getDb(), {
    messageId: message.id,
    tenantId: message.tenantId,
    provider: skip.config.provider,
    configId: skip.config.id,
    outcome: "skipped",
    requestSummary: requestSummary(message, skip.config, skip.step),
    responseCode: null,
    errorCode: "circuit_open",
    errorMessage: `${skip.config.displayName} is degraded (circuit open: ${skip.gate.reason}); next probe after ${skip.gate.retryAt.toISOString()}`.slice(0, 1000),
    retryable: null,
    providerReference: null,
    latencyMs: 0,
    startedAt: now,
    finishedAt: now,
    countsAsCall: false,
  });
}

async function settleCall(
  message: Message,
  config: ProviderConfigRecord,
  hop: RouteHop,
  cursor: AttemptCursor,
  policy: DeliveryPolicy,
  call: {
    fromStatus: Message["status"];
    result: SendResult | undefined;
    error: ProviderSendError | undefined;
    attempt: (outcome: AttemptRow["outcome"]) => AttemptRow;
    finishedAt: Date;
  },
): Promise<AttemptResult> {
  const db = getDb();
  const { fromStatus, result, error, attempt, finishedAt } = call;
  if (result) {
    const done = await finishMessage(db, {
      tenantId: message.tenantId,
      messageId: message.id,
      fromStatus,
      toStatus: "sent",
      reason: `${config.provider} accepted (${result.providerMessageId})`,
      attempt: attempt("sent"),
      countsAsCall: true,
      message: {
        provider: config.provider,
        configId: config.id,
        providerMessageId: result.providerMessageId,
        ...(result.segments !== undefined ? { segments: result.segments } : {}),
        ...(result.cost ? { costAmount: result.cost.amount.toFixed(4), costCurrency: result.cost.currency } : {}),
      },
      at: finishedAt,
      event: (attemptCount) => ({
        name: "communication.sent.v1",
        exchange: communicationExchange(),
        routingKey: "communication.sent.v1",
        payload: sentEnvelope(message, { provider: config.provider, providerMessageId: result.providerMessageId, sentAt: finishedAt, attempt: attemptCount }),
      }),
      usage: {
        tenantId: message.tenantId,
        configId: config.id,
        provider: config.provider,
        channel: message.channel,
        at: finishedAt,
        sent: 1,
        segments: result.segments ?? message.segments ?? 0,
        cost: result.cost?.amount ?? 0,
        costCurrency: result.cost?.currency ?? null,
      },
      afterEvent: enqueueCommunicationEventWebhooks,
      expectedAttemptCount: message.attemptCount,
    });
    if (done) countMessageOutcome("sent", { channel: message.channel, provider: config.provider });
    return { kind: "done", status: done ? "sent" : "noop", eventId: done?.event?.id ?? null };
  }

  const err = error!;
  const code = commCode(err);
  const description = describeError(err, config.provider);
  const hasNextHop = cursor.hop + 1 < message.route.length;

  switch (err.kind) {
    case "invalid_recipient":
    case "rejected":
    case "unregistered_token": {
      if (err.kind === "unregistered_token") {
        const target = pushTarget(outbound(message), pushAddressOf(config.provider));
        if (target.token) {
          await deactivateDeviceToken(message.tenantId, {
            token: target.token,
            provider: config.provider,
            platform: target.platform ?? null,
            reason: err.code,
            messageId: message.id,
          });
        }
      }
      return finishFailed(message, {
        fromStatus,
        code,
        errorMessage: description,
        retryable: false,
        provider: config.provider,
        configId: config.id,
        attempt: attempt("failed"),
        countsAsCall: true,
      });
    }
    case "auth": {
      await markConfigError(message.tenantId, config.id, `Send rejected the credentials: ${err.message}`).catch((e: unknown) =>
        logger.error({ err: e, configId: config.id }, "could not move the config to error"),
      );
      forgetConfig(message.tenantId, config.id);
      if (!hasNextHop) {
        return finishFailed(message, {
          fromStatus,
          code,
          errorMessage: description,
          retryable: false,
          provider: config.provider,
          configId: config.id,
          attempt: attempt("failed"),
          countsAsCall: true,
        });
      }
      await recordStep(message, attempt("fallback"), code, description, false);
      return { kind: "retry", hop: cursor.hop + 1, tryInHop: 0, waitMs: 0 };
    }
    case "retryable":
    case "rate_limited": {
      const wait = err.retryAfterMs ?? backoffMs(cursor.tryInHop, policy);
      const tooLong = err.retryAfterMs !== null && err.retryAfterMs > policy.maxRetryAfterMs;
      const retryHere = cursor.tryInHop + 1 < policy.hopAttempts && !(tooLong && hasNextHop);
      if (retryHere) {
        await recordStep(message, attempt("retry"), code, description, true);
        return { kind: "retry", hop: cursor.hop, tryInHop: cursor.tryInHop + 1, waitMs: Math.min(wait, policy.maxRetryAfterMs) };
      }
      if (hasNextHop) {
        await recordStep(message, attempt("fallback"), code, description, true);
        return { kind: "retry", hop: cursor.hop + 1, tryInHop: 0, waitMs: 0 };
      }
      return finishFailed(message, {
        fromStatus,
        code,
        errorMessage: description,
        retryable: true,
        provider: config.provider,
        configId: config.id,
        attempt: attempt("failed"),
        countsAsCall: true,
      });
    }
  }
  throw new Error(`unhandled provider error kind ${String(err.kind)}`);
}

/** Records a retry/fallback attempt; the message keeps the Herald error category of the latest failure. */
async function recordStep(message: Message, row: AttemptRow, code: CommErrorCode, description: string, retryable: boolean) {
  await recordIntermediateAttempt(getDb(), { ...row, countsAsCall: true, messageError: { code, message: description, retryable } });
}
