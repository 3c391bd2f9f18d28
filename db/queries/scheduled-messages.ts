// Scheduled sends (status `scheduled` until their send_at): releasing one to delivery, cancelling
// one, and finding those whose delivery job went missing.
import { and, asc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { communicationEvents, messages, messageStatusHistory, type CommunicationEvent, type Message } from "../schema";

/** scheduled → queued, once its time has come; false when it is no longer scheduled (cancelled, or released by another run). */
export async function releaseScheduledMessage(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(messages)
      .set({ status: "queued" })
      .where(and(eq(messages.tenantId, tenantId), eq(messages.id, id), eq(messages.status, "scheduled")))
      .returning({ id: messages.id });
    if (!row) return false;
    await tx.insert(messageStatusHistory).values({ messageId: id, tenantId, fromStatus: "scheduled", toStatus: "queued", reason: "send_at reached" });
    return true;
  });
}

/**
 * scheduled → cancelled with its history row and its one communication.cancelled.v1 event, in
 * one transaction, conditional on the message still being scheduled (delivery releasing it at
 * the same moment wins or loses as a whole). Undefined when it was not scheduled any more.
 */
export async function cancelScheduledMessage(
  db: DbOrTx,
  input: {
    tenantId: string;
    id: string;
    reason: string;
    at: Date;
    event: (m: Message) => { name: "communication.cancelled.v1"; payload: Record<string, unknown>; exchange: string; routingKey: string };
    afterEvent?: (tx: DbOrTx, row: CommunicationEvent) => Promise<void>;
  },
) {
  return db.transaction(async (tx) => {
    const [m] = await tx
      .update(messages)
      .set({ status: "cancelled" })
      .where(and(eq(messages.tenantId, input.tenantId), eq(messages.id, input.id), eq(messages.status, "scheduled")))
      .returning();
    if (!m) return undefined;
    await tx.insert(messageStatusHistory).values({ messageId: m.id, tenantId: m.tenantId, fromStatus: "scheduled", toStatus: "cancelled", reason: input.reason.slice(0, 500), at: input.at });
    const [row] = await tx
      .insert(communicationEvents)
      .values({ tenantId: m.tenantId, messageId: m.id, deliveryRound: m.replayCount, ...input.event(m) })
      .onConflictDoNothing({ target: [communicationEvents.messageId, communicationEvents.deliveryRound] })
      .returning();
    if (row && input.afterEvent) await input.afterEvent(tx, row);
    return m;
  });
}

/** Scheduled sends past their time by more than `graceMs` (every tenant): their delivery job went missing. */
export async function overdueScheduledMessages(db: DbOrTx, { before, limit }: { before: Date; limit: number }) {
  return db
    .select({ id: messages.id, tenantId: messages.tenantId, sendAt: messages.sendAt })
    .from(messages)
    .where(and(sql`${messages.sendAt} is not null`, sql`${messages.sendAt} < ${before.toISOString()}::timestamptz`, eq(messages.status, "scheduled")))
    .orderBy(asc(messages.sendAt))
    .limit(limit);
}
