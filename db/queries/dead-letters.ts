// Dead letters across the delivery pipeline: failed messages, refused communication events and
// call events, failed workflow runs — listed newest first and moved back into the pipeline.
import { and, asc, desc, eq, gte, inArray, isNull, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { freshBrokerRetry } from "./broker-outbox";
import { appendUsage } from "./usage";
import {
  callEventLogs,
  communicationEvents,
  deadLetterReplays,
  jobDeadLetters,
  messageAttempts,
  messages,
  messageStatusHistory,
  type DeadLetterKind,
  type ProviderKind,
} from "../schema";

export interface DeadLetterFilter {
  tenantId: string;
  provider?: ProviderKind;
  since?: Date;
  /** Keyset: strictly older than (at, id). */
  before?: { at: Date; id: string };
  ids?: string[];
  limit: number;
}

const beforeCond = (at: SQL, id: SQL, before?: { at: Date; id: string }) =>
  before ? sql`(${at}, ${id}) < (${before.at.toISOString()}::timestamptz, ${before.id}::uuid)` : undefined;

/** Messages that exhausted every route with a retryable error. */
export async function listFailedMessages(db: DbOrTx, f: DeadLetterFilter) {
  return db
    .select()
    .from(messages)
    .where(
      and(
        eq(messages.tenantId, f.tenantId),
        eq(messages.status, "failed"),
        eq(messages.retryable, true),
        f.provider ? eq(messages.provider, f.provider) : undefined,
        f.since ? gte(messages.failedAt, f.since) : undefined,
        f.ids ? inArray(messages.id, f.ids) : undefined,
        beforeCond(sql`${messages.failedAt}`, sql`${messages.id}`, f.before),
      ),
    )
    .orderBy(desc(messages.failedAt), desc(messages.id))
    .limit(f.limit);
}

export async function listDeadLetteredCommunicationEvents(db: DbOrTx, f: DeadLetterFilter) {
  return db
    .select({ event: communicationEvents, provider: messages.provider, configId: messages.configId, channel: messages.channel, recipient: messages.recipient })
    .from(communicationEvents)
    .innerJoin(messages, eq(messages.id, communicationEvents.messageId))
    .where(
      and(
        eq(communicationEvents.tenantId, f.tenantId),
        eq(communicationEvents.status, "dead_lettered"),
        f.provider ? eq(messages.provider, f.provider) : undefined,
        f.since ? gte(communicationEvents.deadLetteredAt, f.since) : undefined,
        f.ids ? inArray(communicationEvents.id, f.ids) : undefined,
        beforeCond(sql`${communicationEvents.deadLetteredAt}`, sql`${communicationEvents.id}`, f.before),
      ),
    )
    .orderBy(desc(communicationEvents.deadLetteredAt), desc(communicationEvents.id))
    .limit(f.limit);
}

export async function listDeadLetteredCallEvents(db: DbOrTx, f: DeadLetterFilter) {
  const at = sql`coalesce(${callEventLogs.lastAttemptAt}, ${callEventLogs.createdTime})`;
  return db
    .select({ row: callEventLogs, at: sql<Date>`${at}`.mapWith((v: string | Date) => new Date(v)) })
    .from(callEventLogs)
    .where(
      and(
        eq(callEventLogs.tenantId, f.tenantId),
        eq(callEventLogs.publishStatus, "dead_lettered"),
        f.since ? sql`${at} >= ${f.since.toISOString()}::timestamptz` : undefined,
        f.ids ? inArray(callEventLogs.id, f.ids) : undefined,
        beforeCond(at, sql`${callEventLogs.id}`, f.before),
      ),
    )
    .orderBy(desc(at), desc(callEventLogs.id))
    .limit(f.limit);
}

/** Failed workflow runs of the tenant not replayed yet. */
export async function listTenantJobDeadLetters(db: DbOrTx, f: DeadLetterFilter) {
  return db
    .select()
    .from(jobDeadLetters)
    .where(
      and(
        eq(jobDeadLetters.tenantId, f.tenantId),
        isNull(jobDeadLetters.replayedAt),
        f.since ? gte(jobDeadLetters.failedAt, f.since) : undefined,
        f.ids ? inArray(jobDeadLetters.id, f.ids) : undefined,
        beforeCond(sql`${jobDeadLetters.failedAt}`, sql`${jobDeadLetters.id}`, f.before),
      ),
    )
    .orderBy(desc(jobDeadLetters.failedAt), desc(jobDeadLetters.id))
    .limit(f.limit);
}

export async function listAttemptsForMessages(db: DbOrTx, { tenantId, messageIds }: { tenantId: string; messageIds: string[] }) {
  if (messageIds.length === 0) return [];
  return db
    .select()
    .from(messageAttempts)
    .where(and(eq(messageAttempts.tenantId, tenantId), inArray(messageAttempts.messageId, messageIds)))
    .orderBy(asc(messageAttempts.messageId), asc(messageAttempts.attemptNo));
}

export async function listReplaysFor(db: DbOrTx, { tenantId, targetIds }: { tenantId: string; targetIds: string[] }) {
  if (targetIds.length === 0) return [];
  return db
    .select()
    .from(deadLetterReplays)
    .where(and(eq(deadLetterReplays.tenantId, tenantId), inArray(deadLetterReplays.targetId, targetIds)))
    .orderBy(asc(deadLetterReplays.replayedAt));
}

// ---------------------------------------------------------------------------------------------
// Replay: each a conditional update, so only one of several concurrent replays of an id wins.

/** failed → queued for a new delivery round; the winner's rows come back with their new round. */
export async function requeueFailedMessages(db: DbOrTx, { tenantId, ids, reason }: { tenantId: string; ids: string[]; reason: string }) {
  if (ids.length === 0) return [];
  const replayable = and(eq(messages.tenantId, tenantId), inArray(messages.id, ids), eq(messages.status, "failed"), eq(messages.retryable, true));
  const before = await db
    .select({ id: messages.id, channel: messages.channel, configId: messages.configId, provider: messages.provider, failedAt: messages.failedAt, updatedAt: messages.updatedAt })
    .from(messages)
    .where(replayable)
    .for("update");
  if (before.length === 0) return [];
  const rows = await db
    .update(messages)
    .set({
      status: "queued",
      replayCount: sql`${messages.replayCount} + 1`,
      errorCode: null,
      errorMessage: null,
      retryable: null,
      failedAt: null,
      updatedAt: new Date(),
    })
    .where(and(replayable, inArray(messages.id, before.map((b) => b.id))))
    .returning({ id: messages.id, replayCount: messages.replayCount });
  // The failure counted when the message failed is taken back in the hour it was counted: a
  // replay that ends sent (or delivered) is no longer a failure, one that fails again counts anew.
  const replayed = new Set(rows.map((r) => r.id));
  await appendUsage(
    db,
    before
      .filter((b) => replayed.has(b.id))
      .map((b) => ({ tenantId, configId: b.configId, provider: b.provider, channel: b.channel, at: b.failedAt ?? b.updatedAt, failed: -1 })),
  );
  if (rows.length > 0) {
    await db.insert(messageStatusHistory).values(
      rows.map((r) => ({ messageId: r.id, tenantId, fromStatus: "failed" as const, toStatus: "queued" as const, reason: reason.slice(0, 500) })),
    );
  }
  return rows;
}

export async function requeueDeadLetteredCommunicationEvents(db: DbOrTx, { tenantId, ids }: { tenantId: string; ids: string[] }) {
  if (ids.length === 0) return [];
  return db
    .update(communicationEvents)
    .set({ status: "pending", deadLetteredAt: null, ...freshBrokerRetry() })
    .where(and(eq(communicationEvents.tenantId, tenantId), inArray(communicationEvents.id, ids), eq(communicationEvents.status, "dead_lettered")))
    .returning({ id: communicationEvents.id });
}

export async function markJobDeadLettersReplayed(db: DbOrTx, { tenantId, ids }: { tenantId: string; ids: string[] }) {
  if (ids.length === 0) return [];
  return db
    .update(jobDeadLetters)
    .set({ replayedAt: new Date() })
    .where(and(eq(jobDeadLetters.tenantId, tenantId), inArray(jobDeadLetters.id, ids), isNull(jobDeadLetters.replayedAt)))
    .returning();
}

export async function insertDeadLetterReplays(db: DbOrTx, rows: (typeof deadLetterReplays.$inferInsert)[]) {
  if (rows.length === 0) return;
  await db.insert(deadLetterReplays).values(rows);
}

export type { DeadLetterKind };
