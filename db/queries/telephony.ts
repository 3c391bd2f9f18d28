import { and, asc, desc, eq, gte, inArray, isNotNull, isNull, lt, lte, ne, or, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { preparedQuery } from "../prepared";
import { freshBrokerRetry } from "./broker-outbox";
import { UNPAGED_LIST_LIMIT } from "./list-limits";
import {
  callCommands,
  callEventLogs,
  calls,
  inboundNumbers,
  schools,
  telephonyTokens,
  tenants,
  type CallEventType,
  type PublishStatus,
} from "../schema";

// ---------------------------------------------------------------- tokens

export async function revokeActiveTelephonyTokens(db: DbOrTx, { tenantId }: { tenantId: string }) {
  return db
    .update(telephonyTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(telephonyTokens.tenantId, tenantId), isNull(telephonyTokens.revokedAt)))
    .returning({ id: telephonyTokens.id, prefix: telephonyTokens.prefix });
}

export async function insertTelephonyToken(
  db: DbOrTx,
  input: { tenantId: string; prefix: string; tokenHash: string; createdBy: string | null },
) {
  const [row] = await db.insert(telephonyTokens).values(input).returning();
  return row!;
}

export async function findActiveTelephonyToken(db: DbOrTx, { tenantId }: { tenantId: string }) {
  return db.query.telephonyTokens.findFirst({
    where: and(eq(telephonyTokens.tenantId, tenantId), isNull(telephonyTokens.revokedAt)),
  });
}

const activeTelephonyTokenByHash = preparedQuery((db) =>
  db
    .select({ id: telephonyTokens.id, tenantId: telephonyTokens.tenantId, tenantSlug: tenants.slug, lastUsedAt: telephonyTokens.lastUsedAt })
    .from(telephonyTokens)
    .innerJoin(tenants, eq(tenants.id, telephonyTokens.tenantId))
    .where(and(eq(telephonyTokens.tokenHash, sql.placeholder("tokenHash")), isNull(telephonyTokens.revokedAt)))
    .prepare("find_active_telephony_token_by_hash"),
);

/** Authentication lookup: the tenant comes from the token itself (prepared: every call event asks; never cached, so a revoked token fails at once). */
export async function findActiveTelephonyTokenByHash(db: DbOrTx, { tokenHash }: { tokenHash: string }) {
  const [row] = await activeTelephonyTokenByHash(db).execute({ tokenHash });
  return row;
}

export async function markTelephonyTokenUsed(db: DbOrTx, { tenantId, id, usedAt }: { tenantId: string; id: string; usedAt: Date }) {
  await db
    .update(telephonyTokens)
    .set({ lastUsedAt: usedAt })
    .where(and(eq(telephonyTokens.tenantId, tenantId), eq(telephonyTokens.id, id), or(isNull(telephonyTokens.lastUsedAt), lt(telephonyTokens.lastUsedAt, usedAt))));
}

// ---------------------------------------------------------------- ingest

export interface CallEventRow {
  tenantId: string;
  callId: string;
  eventType: CallEventType;
  fromNumber: string;
  toNumber: string;
  occurredAt: Date;
  durationSeconds: number | null;
  payload: Record<string, unknown>;
}

const lifecycleColumn: Record<CallEventType, keyof typeof calls.$inferInsert> = {
  call_started: "startedAt",
  call_ringing: "ringingAt",
  call_answered: "answeredAt",
  call_forwarded: "forwardedAt",
  call_ended: "endedAt",
  call_missed: "missedAt",
  call_failed: "failedAt",
};

/**
 * The accept of one call event as one statement (one round trip, atomic without BEGIN/COMMIT):
 * 1. log it, unless the same (tenant, call_id, event_type, timestamp) exists — a repeat then
 *    changes nothing at all and the result is undefined;
 * 2. fold it into its call record: each lifecycle time keeps the earliest value seen, so events
 *    arriving out of order or repeated with another timestamp converge to the same record; the
 *    school comes from the inbound number the call was made to, resolved on first sight;
 * 3. requeue the call's dead-lettered events, so a new event cannot overtake one that ran out of
 *    retries (the broker outbox keeps per-call order among queued rows).
 * Steps 2 and 3 run only when step 1 logged a row.
 */
export async function ingestCallEventRow(db: DbOrTx, row: CallEventRow): Promise<{ id: string } | undefined> {
  const logged = db
    .insert(callEventLogs)
    .values(row)
    .onConflictDoNothing({ target: [callEventLogs.tenantId, callEventLogs.callId, callEventLogs.eventType, callEventLogs.occurredAt] })
    .returning({ id: callEventLogs.id });
  const column = lifecycleColumn[row.eventType];
  const lifecycle = sql.identifier(calls[column as "startedAt"].name);
  const inbound = (field: "id" | "school_id") =>
    sql`(select n.${sql.identifier(field)} from ${inboundNumbers} n where n.tenant_id = ${row.tenantId}::uuid and n.number = ${row.toNumber}::text)`;
  const set: SQL[] = [
    sql`first_event_at = least(${calls.firstEventAt}, excluded.first_event_at)`,
    sql`last_event_at = greatest(${calls.lastEventAt}, excluded.last_event_at)`,
    sql`event_count = ${calls.eventCount} + 1`,
    sql`updated_at = now()`,
    // least() ignores nulls: the earliest time seen wins.
    sql`${lifecycle} = least(${sql.identifier("calls")}.${lifecycle}, excluded.${lifecycle})`,
  ];
  if (row.eventType === "call_ended") set.push(sql`duration_seconds = excluded.duration_seconds`);
  if (row.eventType === "call_forwarded") {
    // The forwarded event's to_number is the new destination.
    set.push(sql`forwarded_to = case when ${calls.forwardedAt} is null or excluded.forwarded_at <= ${calls.forwardedAt} then excluded.forwarded_to else ${calls.forwardedTo} end`);
  }
  // Raw parameters skip drizzle's column mapping: the driver takes timestamps as ISO text.
  const occurredAt = row.occurredAt.toISOString();
  // An embedded drizzle query brings its own parentheses.
  const result = await db.execute<{ id: string }>(sql`
    with logged as ${logged},
    folded as (
      insert into ${calls} (tenant_id, call_id, from_number, to_number, inbound_number_id, school_id, ${lifecycle},
        duration_seconds, forwarded_to, first_event_at, last_event_at, event_count)
      select ${row.tenantId}::uuid, ${row.callId}::text, ${row.fromNumber}::text, ${row.toNumber}::text, ${inbound("id")}, ${inbound("school_id")},
        ${occurredAt}::timestamptz, ${row.eventType === "call_ended" ? row.durationSeconds : null}::integer,
        ${row.eventType === "call_forwarded" ? row.toNumber : null}::text, ${occurredAt}::timestamptz, ${occurredAt}::timestamptz, 1
      where exists (select 1 from logged)
      on conflict (tenant_id, call_id) do update set ${sql.join(set, sql`, `)}
    ),
    requeued as (
      update ${callEventLogs} set publish_status = 'queued', next_attempt_at = now(), failing_since = null, claimed_until = null
      where tenant_id = ${row.tenantId}::uuid and call_id = ${row.callId}::text and publish_status = 'dead_lettered'
        and exists (select 1 from logged)
    )
    select id from logged`);
  return result[0];
}

// ---------------------------------------------------------------- publishing

/** Puts dead-lettered events back in the queue with a fresh retry budget; the broker outbox takes them from there. */
export async function requeueDeadLetteredCallEvents(
  db: DbOrTx,
  { tenantId, ids, callId }: { tenantId: string; ids?: string[]; callId?: string },
) {
  return db
    .update(callEventLogs)
    .set({ publishStatus: "queued", ...freshBrokerRetry() })
    .where(
      and(
        eq(callEventLogs.tenantId, tenantId),
        eq(callEventLogs.publishStatus, "dead_lettered"),
        ids ? inArray(callEventLogs.id, ids) : undefined,
        callId ? eq(callEventLogs.callId, callId) : undefined,
      ),
    )
    .returning({ id: callEventLogs.id, callId: callEventLogs.callId });
}

/**
 * The publish workflow of a call failed for good (or the sweeper found its events queued past
 * their deadline): every still-queued event of the call becomes dead-lettered, visible on the
 * Calls page, from where an admin retries it. `callId` null: every queued event of the tenant
 * accepted before `olderThan`.
 */
export async function deadLetterQueuedCallEvents(
  db: DbOrTx,
  { tenantId, callId, olderThan, error }: { tenantId: string; callId: string | null; olderThan?: Date; error: string },
) {
  return db
    .update(callEventLogs)
    .set({ publishStatus: "dead_lettered", lastPublishError: error.slice(0, 1000), lastAttemptAt: new Date() })
    .where(
      and(
        eq(callEventLogs.tenantId, tenantId),
        callId ? eq(callEventLogs.callId, callId) : undefined,
        eq(callEventLogs.publishStatus, "queued"),
        olderThan ? sql`coalesce(${callEventLogs.lastAttemptAt}, ${callEventLogs.createdTime}) < ${olderThan.toISOString()}::timestamptz` : undefined,
      ),
    )
    .returning({ id: callEventLogs.id });
}

export async function deadLetterQueuedCallCommands(
  db: DbOrTx,
  { tenantId, callId, olderThan, error }: { tenantId: string; callId: string | null; olderThan?: Date; error: string },
) {
  return db
    .update(callCommands)
    .set({ publishStatus: "dead_lettered", lastPublishError: error.slice(0, 1000) })
    .where(
      and(
        eq(callCommands.tenantId, tenantId),
        callId ? eq(callCommands.callId, callId) : undefined,
        eq(callCommands.publishStatus, "queued"),
        olderThan ? lt(callCommands.createdAt, olderThan) : undefined,
      ),
    )
    .returning({ id: callCommands.id });
}

export async function requeueDeadLetteredCallCommands(db: DbOrTx, { tenantId, ids }: { tenantId: string; ids?: string[] }) {
  return db
    .update(callCommands)
    .set({ publishStatus: "queued", ...freshBrokerRetry() })
    .where(
      and(
        eq(callCommands.tenantId, tenantId),
        eq(callCommands.publishStatus, "dead_lettered"),
        ids ? inArray(callCommands.id, ids) : undefined,
      ),
    )
    .returning({ id: callCommands.id, callId: callCommands.callId });
}

// ---------------------------------------------------------------- calls (read)

/**
 * Worst publish state of a call's events: dead_lettered > queued > published. The aggregate answers
 * one row even when every event is published, so it must say NULL (→ published) for zero rows.
 */
const callPublishStatus = sql<PublishStatus>`coalesce((
  select case when bool_or(e.publish_status = 'dead_lettered') then 'dead_lettered' when count(*) > 0 then 'queued' end
  from ${callEventLogs} e
  where e.tenant_id = ${calls.tenantId} and e.call_id = ${calls.callId} and e.publish_status <> 'published'
), 'published')`;

const callSelection = {
  call: calls,
  schoolName: schools.name,
  publishStatus: callPublishStatus,
};

export interface CallFilters {
  tenantId: string;
  schoolId?: string;
  number?: string;
  outcome?: "answered" | "missed" | "failed" | "active";
  publishStatus?: PublishStatus;
  from?: Date;
  to?: Date;
  /** Keyset: rows strictly older than this (first_event_at, id). */
  before?: { at: Date; id: string };
  limit: number;
}

export async function listCalls(db: DbOrTx, f: CallFilters) {
  const conditions: (SQL | undefined)[] = [eq(calls.tenantId, f.tenantId)];
  if (f.schoolId) conditions.push(eq(calls.schoolId, f.schoolId));
  if (f.number) {
    const n = f.number;
    conditions.push(or(eq(calls.toNumber, n), eq(calls.fromNumber, n), eq(calls.forwardedTo, n)));
  }
  if (f.outcome === "active") conditions.push(isNull(calls.endedAt), isNull(calls.missedAt), isNull(calls.failedAt));
  else if (f.outcome) conditions.push(eq(calls.outcome, f.outcome));
  if (f.publishStatus === "published") conditions.push(sql`${callPublishStatus} = 'published'`);
  else if (f.publishStatus) conditions.push(sql`${callPublishStatus} = ${f.publishStatus}`);
  if (f.from) conditions.push(gte(calls.firstEventAt, f.from));
  if (f.to) conditions.push(lte(calls.firstEventAt, f.to));
  if (f.before) {
    conditions.push(
      or(lt(calls.firstEventAt, f.before.at), and(eq(calls.firstEventAt, f.before.at), lt(calls.id, f.before.id))),
    );
  }
  return db
    .select(callSelection)
    .from(calls)
    .leftJoin(schools, eq(schools.id, calls.schoolId))
    .where(and(...conditions))
    .orderBy(desc(calls.firstEventAt), desc(calls.id))
    .limit(f.limit);
}

export async function findCall(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }) {
  const [row] = await db
    .select(callSelection)
    .from(calls)
    .leftJoin(schools, eq(schools.id, calls.schoolId))
    .where(and(eq(calls.tenantId, tenantId), eq(calls.id, id)));
  return row;
}

export async function findCallByCallId(db: DbOrTx, { tenantId, callId }: { tenantId: string; callId: string }) {
  return db.query.calls.findFirst({ where: and(eq(calls.tenantId, tenantId), eq(calls.callId, callId)) });
}

export async function listCallEventLogsOfCall(db: DbOrTx, { tenantId, callId }: { tenantId: string; callId: string }) {
  return db
    .select()
    .from(callEventLogs)
    .where(and(eq(callEventLogs.tenantId, tenantId), eq(callEventLogs.callId, callId)))
    .orderBy(asc(callEventLogs.occurredAt), asc(callEventLogs.seq));
}

export async function listCallEventLogs(
  db: DbOrTx,
  { tenantId, publishStatus, callId, limit }: { tenantId: string; publishStatus?: PublishStatus; callId?: string; limit: number },
) {
  return db
    .select()
    .from(callEventLogs)
    .where(
      and(
        eq(callEventLogs.tenantId, tenantId),
        publishStatus ? eq(callEventLogs.publishStatus, publishStatus) : undefined,
        callId ? eq(callEventLogs.callId, callId) : undefined,
      ),
    )
    .orderBy(desc(callEventLogs.seq))
    .limit(limit);
}

export async function listCallCommandsOfCall(db: DbOrTx, { tenantId, callId }: { tenantId: string; callId: string }) {
  return db
    .select()
    .from(callCommands)
    .where(and(eq(callCommands.tenantId, tenantId), eq(callCommands.callId, callId)))
    .orderBy(asc(callCommands.createdAt));
}

export async function insertCallCommand(db: DbOrTx, input: typeof callCommands.$inferInsert) {
  const [row] = await db.insert(callCommands).values(input).returning();
  return row!;
}

/** Live counters for the calls page: active calls, today's outcomes, the publish backlog. */
export async function callCounters(db: DbOrTx, { tenantId, since: sinceDate }: { tenantId: string; since: Date }) {
  // Raw sql params go to the driver as-is: pass the time as text, cast in SQL.
  const since = sql`${sinceDate.toISOString()}::timestamptz`;
  const [c] = await db
    .select({
      active: sql<number>`count(*) filter (where ${calls.endedAt} is null and ${calls.missedAt} is null and ${calls.failedAt} is null and ${calls.lastEventAt} > now() - interval '6 hours')::int`,
      total: sql<number>`count(*) filter (where ${calls.firstEventAt} >= ${since})::int`,
      answered: sql<number>`count(*) filter (where ${calls.firstEventAt} >= ${since} and ${calls.outcome} = 'answered')::int`,
      missed: sql<number>`count(*) filter (where ${calls.firstEventAt} >= ${since} and ${calls.outcome} = 'missed')::int`,
      failed: sql<number>`count(*) filter (where ${calls.firstEventAt} >= ${since} and ${calls.outcome} = 'failed')::int`,
    })
    .from(calls)
    .where(and(eq(calls.tenantId, tenantId), or(gte(calls.firstEventAt, sinceDate), isNull(calls.endedAt))));
  const [p] = await db
    .select({
      queued: sql<number>`count(*) filter (where ${callEventLogs.publishStatus} = 'queued')::int`,
      deadLettered: sql<number>`count(*) filter (where ${callEventLogs.publishStatus} = 'dead_lettered')::int`,
      oldestQueued: sql<string | null>`min(${callEventLogs.createdTime}) filter (where ${callEventLogs.publishStatus} = 'queued')`,
    })
    .from(callEventLogs)
    .where(and(eq(callEventLogs.tenantId, tenantId), ne(callEventLogs.publishStatus, "published")));
  return {
    active: c?.active ?? 0,
    total: c?.total ?? 0,
    answered: c?.answered ?? 0,
    missed: c?.missed ?? 0,
    failed: c?.failed ?? 0,
    queued: p?.queued ?? 0,
    deadLettered: p?.deadLettered ?? 0,
    oldestQueued: p?.oldestQueued ? new Date(p.oldestQueued) : null,
  };
}

// ---------------------------------------------------------------- number pool

const numberSelection = { number: inboundNumbers, schoolName: schools.name };

export async function listInboundNumbers(
  db: DbOrTx,
  { tenantId, status, schoolId }: { tenantId: string; status?: "free" | "assigned"; schoolId?: string },
) {
  return db
    .select(numberSelection)
    .from(inboundNumbers)
    .leftJoin(schools, eq(schools.id, inboundNumbers.schoolId))
    .where(
      and(
        eq(inboundNumbers.tenantId, tenantId),
        status === "free" ? isNull(inboundNumbers.schoolId) : status === "assigned" ? isNotNull(inboundNumbers.schoolId) : undefined,
        schoolId ? eq(inboundNumbers.schoolId, schoolId) : undefined,
      ),
    )
    .orderBy(asc(inboundNumbers.number))
    .limit(UNPAGED_LIST_LIMIT);
}

export async function findInboundNumber(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }) {
  const [row] = await db
    .select(numberSelection)
    .from(inboundNumbers)
    .leftJoin(schools, eq(schools.id, inboundNumbers.schoolId))
    .where(and(eq(inboundNumbers.tenantId, tenantId), eq(inboundNumbers.id, id)));
  return row;
}

/** Undefined when the tenant already has this number. */
export async function insertInboundNumber(
  db: DbOrTx,
  input: { tenantId: string; number: string; label: string | null; schoolId: string | null },
) {
  const [row] = await db
    .insert(inboundNumbers)
    .values({ ...input, assignedAt: input.schoolId ? new Date() : null })
    .onConflictDoNothing({ target: [inboundNumbers.tenantId, inboundNumbers.number] })
    .returning();
  return row;
}

export async function updateInboundNumber(
  db: DbOrTx,
  { tenantId, id, label, schoolId }: { tenantId: string; id: string; label?: string | null; schoolId?: string | null },
) {
  const set: Partial<typeof inboundNumbers.$inferInsert> = {};
  if (label !== undefined) set.label = label;
  if (schoolId !== undefined) {
    set.schoolId = schoolId;
    set.assignedAt = schoolId ? new Date() : null;
  }
  const [row] = await db
    .update(inboundNumbers)
    .set(set)
    .where(and(eq(inboundNumbers.tenantId, tenantId), eq(inboundNumbers.id, id)))
    .returning();
  return row;
}

export async function deleteInboundNumber(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }) {
  const [row] = await db
    .delete(inboundNumbers)
    .where(and(eq(inboundNumbers.tenantId, tenantId), eq(inboundNumbers.id, id)))
    .returning();
  return row;
}

export async function findSchoolName(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }) {
  const [row] = await db
    .select({ id: schools.id, name: schools.name })
    .from(schools)
    .where(and(eq(schools.tenantId, tenantId), eq(schools.id, id)));
  return row;
}
