// The webhook entry point: find the config, verify the raw bytes, record every event once, ack.
import { randomUUID } from "node:crypto";
import { getDb } from "@/db";
import { recordWebhookEvents } from "@/db/queries/webhook-events";
import { providerKinds, type ProviderKind } from "@/db/schema/provider-configs";
import { emitEvent } from "@/lib/jobs/emit";
import { logger } from "@/lib/logger";
import { findConfigForWebhook, publicBaseUrl, resolveCredentials, type ProviderConfigRecord, type ResolvedCredentials } from "@/lib/providers/configs";
import { SecretStoreError } from "@/lib/secrets/store";
import { isUuid } from "@/lib/validations/common";
import { detailsOf, processWebhookEvents } from "./process";
import { webhookProviders } from "./providers";
import { WebhookRejected } from "./types";
import { safeEqual } from "./verify/hmac";

/** Bigger than SendGrid's 768 KB batches with room to spare; anything larger is refused unread. */
export const MAX_WEBHOOK_BODY_BYTES = Number(process.env.HERALD_WEBHOOK_MAX_BYTES ?? 4 * 1024 * 1024);
/** Batches up to this size are applied before answering; larger ones go to the job engine. */
export const INLINE_PROCESS_LIMIT = Number(process.env.HERALD_WEBHOOK_INLINE_LIMIT ?? 100);

export interface WebhookReceipt {
  received: number;
  recorded: number;
  duplicates: number;
  /** Applied before answering (small batches); the rest is applied by the job engine. */
  processed: number;
}

async function findWebhookConfig(provider: string, configId: string): Promise<ProviderConfigRecord> {
  if (!(providerKinds as readonly string[]).includes(provider) || !webhookProviders[provider as ProviderKind] || !isUuid(configId)) {
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

export async function receiveWebhook(input: { provider: string; configId: string; req: Request }): Promise<WebhookReceipt> {
  const config = await findWebhookConfig(input.provider, input.configId);
  const handler = webhookProviders[config.provider]!;
  const rawBody = await readRawBody(input.req);
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
  await handler.verify(incoming);
  const events = handler.parse(incoming);
  const receivedAt = new Date();
  const rows = events.map((e) => ({
    id: randomUUID(),
    tenantId: config.tenantId,
    configId: config.id,
    provider: config.provider,
    eventKey: e.eventKey,
    eventType: e.type,
    providerEvent: e.providerEvent.slice(0, 200),
    verification: handler.verification,
    status: "pending" as const,
    providerMessageId: e.providerMessageId ?? null,
    recipient: e.recipient ?? null,
    occurredAt: e.occurredAt,
    receivedAt,
    payload: e.payload,
    details: detailsOf(e) as unknown as Record<string, unknown>,
  }));
  const db = getDb();
  const { newIds, duplicates } = await db.transaction(async (tx) => {
    const recorded = await recordWebhookEvents(tx, rows);
    // Same transaction: an acknowledged event always has its processing job.
    if (recorded.newIds.length > 0) {
      await emitEvent("herald/webhook-events.received", { tenantId: config.tenantId, count: recorded.newIds.length }, { db: tx, tenantId: config.tenantId });
    }
    return recorded;
  });
  let processed = 0;
  if (newIds.length > 0 && newIds.length <= INLINE_PROCESS_LIMIT) {
    try {
      const s = await processWebhookEvents(config.tenantId, { ids: newIds });
      processed = s.processed + s.unmatched;
    } catch (err) {
      // Recorded and queued: the job applies them.
      logger.warn({ err, configId: config.id }, "inline webhook processing failed; left to the job");
    }
  }
  return { received: events.length, recorded: newIds.length, duplicates, processed };
}

/** WhatsApp's subscription check: echo hub.challenge only for the config's verify token. */
export async function answerWhatsappChallenge(input: { configId: string; req: Request }): Promise<string> {
  const config = await findWebhookConfig("whatsapp", input.configId);
  const q = new URL(input.req.url).searchParams;
  const challenge = q.get("hub.challenge");
  const token = q.get("hub.verify_token");
  if (q.get("hub.mode") !== "subscribe" || !challenge || !token) throw new WebhookRejected(403, "Not a subscription check");
  const expected = (await credentialsOf(config)).webhook_verify_token_ref;
  if (!expected || !safeEqual(expected, token)) throw new WebhookRejected(403, "The verify token does not match");
  return challenge;
}
