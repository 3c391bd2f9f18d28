import { getDb } from "@/db";
import { insertCallEventLog, upsertCallFromEvent, type CallEventRow } from "@/db/queries/telephony";
import { emitEvent } from "@/lib/jobs/emit";
import type { CallEventInput } from "@/lib/validations/telephony";

export interface IngestResult {
  /** The log row id; for a repeat, undefined (the first copy was already logged and queued). */
  id?: string;
  duplicate: boolean;
}

/**
 * Logs one validated call event, folds it into its call record and queues its publication,
 * all in one transaction: either the event is logged *and* will be published, or nothing is
 * written. A repeat of (call_id, event_type, timestamp) changes nothing.
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
  return getDb().transaction(async (tx) => {
    const logged = await insertCallEventLog(tx, row);
    if (!logged) return { duplicate: true };
    await upsertCallFromEvent(tx, row);
    // The log id is the outbox id: relaying the same row twice can't start a second run.
    await emitEvent(
      "herald/call-event.logged",
      { tenantId: tenant.tenantId, callId: input.call_id, logId: logged.id },
      { db: tx, tenantId: tenant.tenantId, id: logged.id },
    );
    return { id: logged.id, duplicate: false };
  });
}
