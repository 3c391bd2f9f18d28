// The on-failure path of call event and call command publishing: what could not be published is dead-lettered, visibly.
import { getDb } from "@/db";
import { deadLetterQueuedCallCommands, deadLetterQueuedCallEvents } from "@/db/queries/telephony";

/**
 * A publish run of a call failed for good (or the sweeper found the call's events queued past
 * their deadline): its still-queued events become dead-lettered — shown on the Calls page and
 * under Dead letters, where an admin retries them. Published events are never touched.
 */
export async function deadLetterCallEvents(input: { tenantId: string; callId: string; reason: string; olderThan?: Date }) {
  const rows = await deadLetterQueuedCallEvents(getDb(), { tenantId: input.tenantId, callId: input.callId, olderThan: input.olderThan, error: input.reason });
  return { deadLettered: rows.length };
}

export async function deadLetterCallCommands(input: { tenantId: string; callId: string; reason: string; olderThan?: Date }) {
  const rows = await deadLetterQueuedCallCommands(getDb(), { tenantId: input.tenantId, callId: input.callId, olderThan: input.olderThan, error: input.reason });
  return { deadLettered: rows.length };
}
