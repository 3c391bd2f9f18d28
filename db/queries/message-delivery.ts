// Queries of the delivery workflow: attempts, status transitions, the communication event outbox.
import { and, asc, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { appendUsage, type UsageDelta } from "./usage";
import {
  communicationEvents,
  messageAttempts,
  messages,
  messageStatusHistory,
  type CommunicationEvent,
  type CommunicationEventName,
  type CommunicationEventStatus,
  type MessageStatus,
  type ProviderKind,
} from "../schema";

/** Statuses from which the delivery workflow may still call a provider. */
export const DELIVERABLE_STATUSES: MessageStatus[] = ["queued", "sending"];

export async function findMessageForDelivery(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }) {
  const [row] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.tenantId, tenantId), eq(messages.id, id)));
  return row;
}

export interface AttemptRow {
  messageId: string;
  tenantId: string;
  provider: ProviderKind;
  configId: string | null;
  outcome: "sent" | "retry" | "fallback" | "failed" | "skipped";
  requestSummary: Record<string, unknown>;
  responseCode: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  retryable: boolean | null;
  providerReference: string | null;
  latencyMs: number | null;
  startedAt: Date;
  finishedAt: Date;
}

/** Appends an attempt with the next number for its message (numbering is per message). */
export async function insertAttempt(db: DbOrTx, row: AttemptRow) {
  const next = sql<number>`(select coalesce(max(${messageAttempts.attemptNo}), 0) + 1 from ${messageAttempts} where ${messageAttempts.messageId} = ${row.messageId})`;
  const [inserted] = await db
    .insert(messageAttempts)
    .values({ ...row, attemptNo: next })
    .returning({ id: messageAttempts.id, attemptNo: messageAttempts.attemptNo });
  return inserted!;
}

/** Counts a provider call that did not end the message (retry / fallback) on the message row. */
export async function recordIntermediateAttempt(
  db: DbOrTx,
  row: AttemptRow & {
    countsAsCall: boolean;
    /** The Herald-level error the message row keeps (the attempt row keeps the provider's code). */
    messageError?: { code: string; message: string; retryable: boolean };
  },
) {
  return db.transaction(async (tx) => {
    const { countsAsCall, messageError, ...attempt } = row;
    const [before] = await tx
      .select({ status: messages.status })
      .from(messages)
      .where(and(eq(messages.tenantId, row.tenantId), eq(messages.id, row.messageId)))
      .for("update");
    if (!before || !DELIVERABLE_STATUSES.includes(before.status)) return false;
    const calling = countsAsCall && before.status === "queued";
    const [msg] = await tx
      .update(messages)
      .set({
        updatedAt: new Date(),
        ...(calling ? { status: "sending" as const, provider: attempt.provider, configId: attempt.configId } : {}),
        ...(countsAsCall ? { attemptCount: sql`${messages.attemptCount} + 1` } : {}),
        ...(messageError ? { errorCode: messageError.code, errorMessage: messageError.message, retryable: messageError.retryable } : {}),
      })
      .where(and(eq(messages.tenantId, row.tenantId), eq(messages.id, row.messageId), inArray(messages.status, DELIVERABLE_STATUSES)))
      .returning({ id: messages.id });
    if (!msg) return false;
    await insertAttempt(tx, attempt);
    if (calling) {
      await tx.insert(messageStatusHistory).values({
        messageId: row.messageId,
        tenantId: row.tenantId,
        fromStatus: "queued",
        toStatus: "sending",
        reason: `calling ${attempt.provider}`,
        at: attempt.startedAt,
      });
    }
    return true;
  });
}

export interface TerminalInput {
  tenantId: string;
  messageId: string;
  fromStatus: MessageStatus;
  toStatus: "sent" | "failed";
  reason: string;
  attempt: AttemptRow | null;
  countsAsCall: boolean;
  message: {
    provider?: ProviderKind | null;
    configId?: string | null;
    providerMessageId?: string | null;
    segments?: number | null;
    costAmount?: string | null;
    costCurrency?: string | null;
    errorCode?: string | null;
    errorMessage?: string | null;
    retryable?: boolean | null;
  };
  at: Date;
  /** The usage this outcome adds (sent or failed), appended with it. */
  usage?: UsageDelta;
  /** Builds the envelope once the final attempt count is known. */
  event: (attemptCount: number) => { name: CommunicationEventName; payload: Record<string, unknown>; exchange: string; routingKey: string };
  /** Runs in the same transaction once the event row is written (e.g. outbound webhook deliveries). */
  afterEvent?: (tx: DbOrTx, row: CommunicationEvent) => Promise<void>;
}

/**
 * The terminal transition, its attempt, history and the one communication event, in one
 * transaction. Conditional on the message still being deliverable:
 * a concurrent or repeated run that lost the race writes nothing and gets `undefined`.
 */
export async function finishMessage(db: DbOrTx, input: TerminalInput) {
  return db.transaction(async (tx) => {
    const [msg] = await tx
      .update(messages)
      .set({
        status: input.toStatus,
        ...(input.countsAsCall ? { attemptCount: sql`${messages.attemptCount} + 1` } : {}),
        ...input.message,
        ...(input.toStatus === "sent" ? { sentAt: input.at, errorCode: null, errorMessage: null, retryable: null } : { failedAt: input.at }),
      })
      .where(and(eq(messages.tenantId, input.tenantId), eq(messages.id, input.messageId), inArray(messages.status, DELIVERABLE_STATUSES)))
      .returning({
        attemptCount: messages.attemptCount,
        replayCount: messages.replayCount,
        channel: messages.channel,
        provider: messages.provider,
        configId: messages.configId,
      });
    if (!msg) return undefined;
    // Usage increments are appended (no shared row is locked), exactly once: only the
    // transition that made the message terminal gets here.
    // Counted against the config the message row names after this change, the same one a
    // replay takes the failure back from (requeueFailedMessages), so the two always net out.
    if (input.usage) await appendUsage(tx, [{ ...input.usage, configId: msg.configId, provider: msg.provider }]);
    if (input.attempt) await insertAttempt(tx, input.attempt);
    // A first call that ended the message at once: record the queued → sending step it went through.
    const viaSending = input.fromStatus === "queued" && input.countsAsCall && input.attempt !== null;
    await tx.insert(messageStatusHistory).values([
      ...(viaSending
        ? [{ messageId: input.messageId, tenantId: input.tenantId, fromStatus: "queued" as const, toStatus: "sending" as const, reason: `calling ${input.attempt!.provider}`, at: input.attempt!.startedAt }]
        : []),
      {
        messageId: input.messageId,
        tenantId: input.tenantId,
        fromStatus: viaSending ? ("sending" as const) : input.fromStatus,
        toStatus: input.toStatus,
        reason: input.reason.slice(0, 500),
        at: input.at,
      },
    ]);
    const event = input.event(msg.attemptCount);
    const [row] = await tx
      .insert(communicationEvents)
      .values({ tenantId: input.tenantId, messageId: input.messageId, deliveryRound: msg.replayCount, ...event })
      .onConflictDoNothing({ target: [communicationEvents.messageId, communicationEvents.deliveryRound] })
      .returning();
    if (row && input.afterEvent) await input.afterEvent(tx, row);
    return { event: row ?? null, attemptCount: msg.attemptCount };
  });
}

// ---------------------------------------------------------------------------------------------
// communication_events

export async function findCommunicationEventForMessage(db: DbOrTx, { tenantId, messageId }: { tenantId: string; messageId: string }) {
  const [row] = await db
    .select()
    .from(communicationEvents)
    .where(and(eq(communicationEvents.tenantId, tenantId), eq(communicationEvents.messageId, messageId)))
    .orderBy(desc(communicationEvents.deliveryRound))
    .limit(1);
  return row;
}

export async function listCommunicationEvents(
  db: DbOrTx,
  f: { tenantId: string; status?: CommunicationEventStatus; unpublished?: boolean; messageId?: string; beforeId?: string; limit: number },
) {
  const conditions: (SQL | undefined)[] = [
    eq(communicationEvents.tenantId, f.tenantId),
    f.status ? eq(communicationEvents.status, f.status) : undefined,
    f.unpublished ? sql`${communicationEvents.status} <> 'published'` : undefined,
    f.messageId ? eq(communicationEvents.messageId, f.messageId) : undefined,
    f.beforeId
      ? sql`(${communicationEvents.createdAt}, ${communicationEvents.id}) < (select e.created_at, e.id from communication_events e where e.id = ${f.beforeId} and e.tenant_id = ${f.tenantId})`
      : undefined,
  ];
  return db
    .select()
    .from(communicationEvents)
    .where(and(...conditions))
    .orderBy(desc(communicationEvents.createdAt), desc(communicationEvents.id))
    .limit(f.limit);
}

export async function countCommunicationEventsByStatus(db: DbOrTx, { tenantId }: { tenantId: string }) {
  const rows = await db
    .select({ status: communicationEvents.status, n: sql<number>`count(*)::int` })
    .from(communicationEvents)
    .where(eq(communicationEvents.tenantId, tenantId))
    .groupBy(communicationEvents.status);
  const out: Record<CommunicationEventStatus, number> = { pending: 0, published: 0, dead_lettered: 0 };
  for (const r of rows) out[r.status] = r.n;
  return out;
}

/** For tests and the crash script: every attempt of a message, oldest first. */
export async function listAttemptsForMessage(db: DbOrTx, { tenantId, messageId }: { tenantId: string; messageId: string }) {
  return db
    .select()
    .from(messageAttempts)
    .where(and(eq(messageAttempts.tenantId, tenantId), eq(messageAttempts.messageId, messageId)))
    .orderBy(asc(messageAttempts.attemptNo));
}
