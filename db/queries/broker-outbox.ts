// Claims and outcomes for the rows bound for RabbitMQ: call events, call commands, communication events.
import { getTableName, inArray, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { callCommands, callEventLogs, communicationEvents } from "../schema";

export type BrokerOutboxKind = "call_event" | "call_command" | "communication_event";

/** How each table spells the columns the outbox needs. */
const tables = {
  call_event: { table: callEventLogs, status: callEventLogs.publishStatus, pending: "queued", error: "last_publish_error", order: sql`r.seq`, created: callEventLogs.createdTime },
  call_command: { table: callCommands, status: callCommands.publishStatus, pending: "queued", error: "last_publish_error", order: sql`r.created_at, r.id`, created: callCommands.createdAt },
  communication_event: { table: communicationEvents, status: communicationEvents.status, pending: "pending", error: "last_error", order: sql`r.next_attempt_at`, created: communicationEvents.createdAt },
} as const;

// One constant per ordered table: claims of one table serialize for the few milliseconds a claim takes.
const CLAIM_LOCK: Record<BrokerOutboxKind, number> = { call_event: 0x4845_0001, call_command: 0x4845_0002, communication_event: 0 };

/**
 * The ids a claim may take: pending, due, not leased — and, when `perCall`, only while no
 * earlier pending row of the same call is in backoff or leased to someone else, so a call's rows
 * reach the broker in order. Claims of an ordered table serialize on a transaction-level
 * advisory lock (released at commit, never held across I/O), which is what makes "no earlier
 * row is leased" true for the claimer that runs next.
 */
function claimable(kind: BrokerOutboxKind, perCall: boolean, limit: number): SQL {
  const t = tables[kind];
  const name = sql.identifier(getTableName(t.table));
  const status = sql.identifier(t.status.name);
  const due = sql`r.${status} = ${t.pending} and r.next_attempt_at <= now() and (r.claimed_until is null or r.claimed_until <= now())`;
  if (!perCall) {
    return sql`select r.id from ${name} r where ${due} order by ${t.order} limit ${limit} for update skip locked`;
  }
  const earlier = kind === "call_event" ? sql`e.seq < r.seq` : sql`(e.created_at, e.id) < (r.created_at, r.id)`;
  return sql`select r.id from ${name} r where ${due} and not exists (
      select 1 from ${name} e
      where e.tenant_id = r.tenant_id and e.call_id = r.call_id and e.${status} = ${t.pending} and ${earlier}
        and (e.next_attempt_at > now() or e.claimed_until > now())
    )
    order by ${t.order} limit ${limit}`;
}

async function claim<K extends BrokerOutboxKind>(db: DbOrTx, kind: K, { limit, leaseMs }: { limit: number; leaseMs: number }) {
  const t = tables[kind];
  const perCall = kind !== "communication_event";
  return db.transaction(async (tx) => {
    if (perCall) await tx.execute(sql`select pg_advisory_xact_lock(${CLAIM_LOCK[kind]})`);
    return tx
      .update(t.table)
      .set({ claimedUntil: sql`now() + ${leaseMs} * interval '1 millisecond'` } as never)
      // The status again, outside the subquery: re-checked on the current row version if another
      // process marked it published meanwhile (a lease that ran out mid-publish).
      .where(sql`${t.table.id} in (${claimable(kind, perCall, limit)}) and ${t.status} = ${t.pending}`)
      .returning();
  });
}

/** Call events due for publishing, oldest first, at most one unbroken run per call. */
export async function claimCallEvents(db: DbOrTx, opts: { limit: number; leaseMs: number }) {
  const rows = await claim(db, "call_event", opts);
  return (rows as (typeof callEventLogs.$inferSelect)[]).sort((a, b) => a.seq - b.seq);
}

export async function claimCallCommands(db: DbOrTx, opts: { limit: number; leaseMs: number }) {
  const rows = await claim(db, "call_command", opts);
  return (rows as (typeof callCommands.$inferSelect)[]).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
}

export async function claimCommunicationEvents(db: DbOrTx, opts: { limit: number; leaseMs: number }) {
  return (await claim(db, "communication_event", opts)) as (typeof communicationEvents.$inferSelect)[];
}

/** The broker confirmed these rows: published, lease released. */
/** Marks confirmed rows published; answers each row's publish lag (seconds from its commit to now). */
export async function markBrokerRowsPublished(db: DbOrTx, { kind, ids, exchange }: { kind: BrokerOutboxKind; ids: string[]; exchange?: string }): Promise<number[]> {
  if (ids.length === 0) return [];
  const t = tables[kind];
  const rows = await db
    .update(t.table)
    .set({
      [t.status.name === "status" ? "status" : "publishStatus"]: "published",
      publishedAt: sql`now()`,
      lastAttemptAt: sql`now()`,
      publishAttempts: sql`publish_attempts + 1`,
      claimedUntil: null,
      failingSince: null,
      ...(kind === "communication_event" ? { lastError: null, ...(exchange ? { exchange } : {}) } : { lastPublishError: null }),
    } as never)
    .where(inArray(t.table.id, ids))
    .returning({ lag: sql<number>`extract(epoch from now() - ${t.created})::float8` });
  return rows.map((r) => Number(r.lag));
}

/**
 * A publish of these rows failed: back off (base · 2^attempts, capped) and release the lease;
 * a row failing for longer than `budgetMs` (or at once with `deadLetterNow`) is dead-lettered.
 * Returns the ids that were dead-lettered now.
 */
export async function recordBrokerRowsFailed(
  db: DbOrTx,
  input: { kind: BrokerOutboxKind; ids: string[]; error: string; budgetMs: number; baseMs: number; maxMs: number; deadLetterNow?: boolean },
): Promise<string[]> {
  if (input.ids.length === 0) return [];
  const t = tables[input.kind];
  const status = sql.identifier(t.status.name);
  const name = sql.identifier(getTableName(t.table));
  const over = input.deadLetterNow ? sql`true` : sql`now() - coalesce(failing_since, now()) >= ${input.budgetMs} * interval '1 millisecond'`;
  const deadLetteredAt = input.kind === "communication_event" ? sql`, dead_lettered_at = case when ${over} then now() else dead_lettered_at end` : sql``;
  const rows = await db.execute<{ id: string }>(sql`
    update ${name} set
      ${status} = case when ${over} then 'dead_lettered' else ${status} end,
      ${sql.identifier(t.error)} = ${input.error.slice(0, 1000)},
      publish_attempts = publish_attempts + 1,
      last_attempt_at = now(),
      failing_since = coalesce(failing_since, now()),
      next_attempt_at = now() + least(${input.maxMs}::float8, ${input.baseMs}::float8 * power(2, least(publish_attempts, 30))) * interval '1 millisecond',
      claimed_until = null
      ${deadLetteredAt}
    where id in ${sql`(${sql.join(input.ids.map((id) => sql`${id}::uuid`), sql`, `)})`} and ${status} = ${t.pending}
    returning id, ${status} as status`);
  return (rows as unknown as { id: string; status: string }[]).filter((r) => r.status === "dead_lettered").map((r) => r.id);
}

/** The columns a replayed dead letter starts over with: due now, a full retry budget. */
export function freshBrokerRetry() {
  return { nextAttemptAt: sql`now()`, failingSince: null, claimedUntil: null };
}
