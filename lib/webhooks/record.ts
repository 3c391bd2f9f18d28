// Provider events into Herald: recorded once each, queued for processing, small batches applied at once.
import { randomUUID } from "node:crypto";
import { getDb } from "@/db";
import { recordWebhookEvents } from "@/db/queries/webhook-events";
import type { WebhookVerification } from "@/db/schema/webhooks";
import { emitEvent } from "@/lib/jobs/emit";
import { logger } from "@/lib/logger";
import type { ProviderConfigRecord } from "@/lib/providers/config-record";
import { detailsOf, processWebhookEvents } from "./process";
import type { NormalizedEvent } from "./types";

/** Batches up to this size are applied before answering; larger ones go to the job engine. */
export const INLINE_PROCESS_LIMIT = Number(process.env.HERALD_WEBHOOK_INLINE_LIMIT ?? 100);

export interface WebhookReceipt {
  received: number;
  recorded: number;
  duplicates: number;
  /** Applied before answering (small batches); the rest is applied by the job engine. */
  processed: number;
}

/**
 * Records a config's provider events once each (dedupe by event key), queues their processing in
 * the same transaction, and applies small batches at once. The one way provider events enter
 * Herald: pushed ones (a verified webhook) and pulled ones (a polled report API) alike, so both
 * move messages, usage, suppressions and customer events by the same rules.
 */
export async function recordProviderEvents(input: {
  config: Pick<ProviderConfigRecord, "id" | "tenantId" | "provider">;
  verification: WebhookVerification;
  events: NormalizedEvent[];
}): Promise<WebhookReceipt> {
  const { config, events } = input;
  const receivedAt = new Date();
  const rows = events.map((e) => ({
    id: randomUUID(),
    tenantId: config.tenantId,
    configId: config.id,
    provider: config.provider,
    eventKey: e.eventKey,
    eventType: e.type,
    providerEvent: e.providerEvent.slice(0, 200),
    verification: input.verification,
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
