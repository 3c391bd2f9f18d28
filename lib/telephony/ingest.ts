import { getDb } from "@/db";
import { ingestCallEventRow, type CallEventRow } from "@/db/queries/telephony";
import { wakeBrokerOutbox } from "@/lib/broker/outbox-publisher";
import type { CallEventInput } from "@/lib/validations/telephony";

export interface IngestResult {
  /** The log row id; for a repeat, undefined (the first copy was already logged and queued). */
  id?: string;
  duplicate: boolean;
}

/**
 * Logs one validated call event (queued for the broker outbox) and folds it into its call record,
 * in one statement: either the event is logged *and* will be published, or nothing is written.
 * A repeat of (call_id, event_type, timestamp) changes nothing.
 */
export async function ingestCallEvent(tenant: { tenantId: string }, input: CallEventInput): Promise<IngestResult> {
  const row: CallEventRow = {
    tenantId: tenant.tenantId,
    callId: input.call_id,
    eventType: input.event_type,
    fromNumber: input.from_number,
    toNumber: input.to_number,
    occurredAt: new Date(input.timestamp),
    durationSeconds: input.duration ?? null,
    payload: {
      call_id: input.call_id,
      from_number: input.from_number,
      to_number: input.to_number,
      event_type: input.event_type,
      timestamp: input.timestamp,
      ...(input.duration !== undefined ? { duration: input.duration } : {}),
    },
  };
  const logged = await ingestCallEventRow(getDb(), row);
  const result: IngestResult = logged ? { id: logged.id, duplicate: false } : { duplicate: true };
  // The log row is its own outbox row (publish_status = queued): nothing else to write.
  if (result.id) wakeBrokerOutbox("call_event");
  return result;
}
