// The webhook entry point: find the config, verify the raw bytes, record every event once, ack.
import { createHash } from "node:crypto";
import { getDb } from "@/db";
import { touchProviderConfigLastEvent } from "@/db/queries/provider-configs";
import { claimWebhookNonce, recordWebhookRejection } from "@/db/queries/webhook-nonces";
import { providerKinds, type ProviderKind } from "@/db/schema/provider-configs";
import { logger } from "@/lib/logger";
import { countWebhookEvents, countWebhookRejected } from "@/lib/metrics/record";
import { findConfigForWebhook, resolveCredentials, type ProviderConfigRecord, type ResolvedCredentials } from "@/lib/providers/config-record";
import { publicBaseUrl } from "@/lib/providers/callback-urls";
import { SecretStoreError } from "@/lib/secrets/store";
import { formatPath } from "@/lib/api/errors";
import { DATE_RANGE_MESSAGE, isDateInRange, isUuid } from "@/lib/validations/common";
import { inspectJson, JSON_LIMITS } from "@/lib/validations/json-safety";
import { recordProviderEvents, type WebhookReceipt } from "./record";
import { recordRefusedRequest } from "./rejected-requests";
import { WebhookRejected, type NormalizedEvent } from "./types";
import { providerRegistry } from "@/lib/providers/registry";
import { MAX_WEBHOOK_AGE_SECONDS } from "./hmac";
import type { IncomingWebhook, VerifiedWebhook } from "./webhook-provider";

/** Bigger than the largest provider batches (768 KB) with room to spare; anything larger is refused unread. */
export const MAX_WEBHOOK_BODY_BYTES = Number(process.env.HERALD_WEBHOOK_MAX_BYTES ?? 4 * 1024 * 1024);

async function findWebhookConfig(provider: string, configId: string): Promise<ProviderConfigRecord> {
  if (!(providerKinds as readonly string[]).includes(provider) || !providerRegistry[provider as ProviderKind].webhook || !isUuid(configId)) {
    throw new WebhookRejected(404, "Unknown webhook endpoint");
  }
  const config = await findConfigForWebhook(provider as ProviderKind, configId);
  if (!config || config.status === "decommissioned") throw new WebhookRejected(404, "Unknown webhook endpoint");
  return config;
}

async function credentialsOf(config: ProviderConfigRecord): Promise<ResolvedCredentials> {
  try {
    return await resolveCredentials(config);
  } catch (err) {
    // Without the key Herald can't tell a real event from a forged one: refuse, the provider retries.
    if (err instanceof SecretStoreError) {
      logger.error({ configId: config.id, err: err.message }, "webhook credentials unavailable");
      throw new WebhookRejected(401, "The config's webhook credentials are not available");
    }
    throw err;
  }
}

/** Reads the body up to the limit without buffering more than it (a lying Content-Length doesn't help). */
export async function readRawBody(req: Request, limit = MAX_WEBHOOK_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) throw new WebhookRejected(413, `The body is larger than ${limit} bytes`);
  if (!req.body) return Buffer.alloc(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new WebhookRejected(413, `The body is larger than ${limit} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** The URL the provider was given for this endpoint: Herald's public origin + the request's path and query. */
export function publicUrlOf(req: Request): string {
  const u = new URL(req.url);
  return `${publicBaseUrl()}${u.pathname}${u.search}`;
}

/**
 * Accepts a signature nonce once per config. Outside the recording transaction on purpose: the
 * claim must hold even if recording fails, and the provider's retry of the same bytes passes.
 */
async function refuseReplay(req: IncomingWebhook, verified: VerifiedWebhook): Promise<void> {
  if (!verified.replayNonce) return;
  const db = getDb();
  const claim = await claimWebhookNonce(db, {
    configId: req.config.id,
    nonce: verified.replayNonce.nonce,
    bodySha256: createHash("sha256").update(req.rawBody).digest("hex"),
    signedAt: verified.replayNonce.signedAt,
    expiredBefore: new Date(req.now - 2 * MAX_WEBHOOK_AGE_SECONDS * 1000),
  });
  if (claim !== "other_body") return;
  await recordWebhookRejection(db, { tenantId: req.config.tenantId, configId: req.config.id, provider: req.config.provider, reason: "replayed_signature", at: new Date(req.now) });
  logger.warn({ configId: req.config.id, provider: req.config.provider }, "webhook signature replayed on another body; refused");
  throw new WebhookRejected(401, "This signature was already used on a different request (replay refused)");
}

/**
 * Provider payloads reach Postgres as text and jsonb: one shared check, whatever the provider,
 * that nothing in them is unstorable (NUL, lone surrogates, absurd nesting, dates outside 1970–9999).
 */
function assertStorableEvents(events: NormalizedEvent[]) {
  events.forEach((e, i) => {
    const problem = inspectJson(e, JSON_LIMITS);
    const path = problem ? formatPath([i, ...problem.path]) : formatPath([i, "occurredAt"]);
    if (problem) throw new WebhookRejected(422, `The callback holds a value that cannot be stored (${path})`, [{ path, message: problem.message }]);
    if (!isDateInRange(e.occurredAt)) throw new WebhookRejected(422, `The event time is out of range (${path})`, [{ path, message: DATE_RANGE_MESSAGE }]);
  });
}

/** Why a webhook request was refused, as a metric label: a few fixed values per status. */
const REJECTION_REASONS: Record<number, string> = {
  400: "malformed",
  401: "signature",
  403: "forbidden",
  404: "unknown_endpoint",
  413: "too_large",
  415: "media_type",
  422: "unstorable",
};

export async function receiveWebhook(input: { provider: string; configId: string; req: Request }): Promise<WebhookReceipt> {
  // The provider label comes from the path: only known kinds are labels, so clients can't grow the series.
  const provider = (providerKinds as readonly string[]).includes(input.provider) ? input.provider : "unknown";
  const at = new Date();
  const seen: Seen = {};
  try {
    const receipt = await receive(input, seen);
    countWebhookEvents(provider, receipt.received);
    return receipt;
  } catch (err) {
    if (err instanceof WebhookRejected) {
      const replayed = err.status === 401 && /replay/i.test(err.message);
      countWebhookRejected(provider, replayed ? "replayed_signature" : (REJECTION_REASONS[err.status] ?? "other"));
      // Same answer whatever happens here: recording never throws.
      await recordRefusedRequest({ ...input, err, config: seen.config, rawBody: seen.rawBody, at });
    }
    throw err;
  }
}

/** What was known about the request when it was refused, for the Rejected log. */
interface Seen {
  config?: ProviderConfigRecord;
  rawBody?: Buffer;
}

async function receive(input: { provider: string; configId: string; req: Request }, seen: Seen): Promise<WebhookReceipt> {
  const config = await findWebhookConfig(input.provider, input.configId);
  seen.config = config;
  const handler = providerRegistry[config.provider].webhook!;
  const rawBody = await readRawBody(input.req);
  seen.rawBody = rawBody;
  const credentials = await credentialsOf(config);
  const incoming = {
    config,
    credentials,
    headers: input.req.headers,
    rawBody,
    publicUrl: publicUrlOf(input.req),
    token: new URL(input.req.url).searchParams.get("token"),
    now: Date.now(),
  };
  await refuseReplay(incoming, (await handler.verify(incoming)) ?? {});
  const events = handler.parse(incoming);
  assertStorableEvents(events);
  // Verified: the provider has Herald's URL (the card's "last event received" and onboarding).
  await touchProviderConfigLastEvent(getDb(), { tenantId: config.tenantId, id: config.id, at: new Date() });
  return recordProviderEvents({ config, verification: handler.verification, events });
}

/** The answer to a received webhook: the provider's expected reply, else the receipt as JSON. */
export function webhookReply(provider: string, receipt: WebhookReceipt): Response {
  const reply = (providerKinds as readonly string[]).includes(provider) ? providerRegistry[provider as ProviderKind].webhook?.reply : undefined;
  return reply ? reply() : Response.json(receipt);
}

/** Whether the provider answers GET subscription checks on its webhook URL. */
export function hasWebhookChallenge(provider: string): boolean {
  return (providerKinds as readonly string[]).includes(provider) && providerRegistry[provider as ProviderKind].webhook?.challenge !== undefined;
}

/** A GET subscription check (a `hub.challenge` style handshake): the text to echo. */
export async function answerWebhookChallenge(input: { provider: string; configId: string; req: Request }): Promise<string> {
  const config = await findWebhookConfig(input.provider, input.configId);
  const challenge = providerRegistry[config.provider].webhook?.challenge;
  if (!challenge) throw new WebhookRejected(404, "Unknown webhook endpoint");
  return challenge(new URL(input.req.url).searchParams, await credentialsOf(config));
}
