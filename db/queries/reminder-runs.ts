// Reminder runs: claiming a firing, its chunks, resolving sends, and the one definition of a run's
// figures (read from the plan rows and the message log, so they always reconcile with Messages).
import { and, asc, desc, eq, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { events, reminderRules, reminderRuns, type ReminderRun, type ReminderSendStatus } from "../schema";

export async function findRun(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }) {
  const [row] = await db.select().from(reminderRuns).where(and(eq(reminderRuns.tenantId, tenantId), eq(reminderRuns.id, id)));
  return row;
}

/**
 * Starts a firing: scheduled → running (one winner among duplicate ticks and jobs), counting it in
 * `firings`. Only when its instant has come by `now`.
 */
export async function claimRun(db: DbOrTx, { tenantId, id, now }: { tenantId: string; id: string; now: Date }) {
  const [row] = await db
    .update(reminderRuns)
    .set({ status: "running", startedAt: sql`coalesce(${reminderRuns.startedAt}, ${now.toISOString()}::timestamptz)`, firings: sql`${reminderRuns.firings} + 1`, updatedAt: new Date() })
    .where(and(eq(reminderRuns.tenantId, tenantId), eq(reminderRuns.id, id), eq(reminderRuns.status, "scheduled"), sql`${reminderRuns.scheduledAt} <= ${now.toISOString()}::timestamptz`))
    .returning();
  return row;
}

/** Scheduled runs whose instant has come (every tenant; the tick is a system job), oldest first. */
export async function dueRuns(db: DbOrTx, { now, limit }: { now: Date; limit: number }) {
  return db
    .select({ id: reminderRuns.id, tenantId: reminderRuns.tenantId, firings: reminderRuns.firings })
    .from(reminderRuns)
    .where(and(eq(reminderRuns.status, "scheduled"), sql`${reminderRuns.scheduledAt} <= ${now.toISOString()}::timestamptz`))
    .orderBy(asc(reminderRuns.scheduledAt))
    .limit(limit);
}

/**
 * The first contact id of each chunk of `size` contacts among the run's sends in `statuses`
 * (contact order): chunk i covers [start_i, start_i+1).
 */
export async function chunkStarts(db: DbOrTx, { runId, size, statuses }: { runId: string; size: number; statuses: ReminderSendStatus[] }) {
  const rows = await db.execute<{ contact_id: string }>(sql`
    select contact_id from (
      select contact_id, row_number() over (order by contact_id) as n
      from (select distinct contact_id from reminder_sends where run_id = ${runId} and status = any(${`{${statuses.join(",")}}`}::text[])) d
    ) x where (n - 1) % ${size} = 0 order by contact_id`);
  return [...rows].map((r) => r.contact_id);
}

export interface ChunkRow {
  ruleId: string;
  contactId: string;
  channel: "email" | "sms" | "push" | "whatsapp";
  scheduledAt: Date;
  status: ReminderSendStatus;
  reason: string | null;
  messageId: string | null;
}

/**
 * The run's sends of one chunk, locked until the caller's transaction ends: a racing worker on
 * the same chunk waits, then finds them resolved; a re-plan or cancel of them waits likewise.
 */
export async function lockChunk(tx: DbOrTx, p: { runId: string; from: string; to: string | null; statuses: ReminderSendStatus[] }): Promise<ChunkRow[]> {
  const rows = await tx.execute<{ rule_id: string; contact_id: string; channel: ChunkRow["channel"]; scheduled_at: string | Date; status: ReminderSendStatus; reason: string | null; message_id: string | null }>(sql`
    select rule_id, contact_id, channel, scheduled_at, status, reason, message_id from reminder_sends
    where run_id = ${p.runId} and status = any(${`{${p.statuses.join(",")}}`}::text[])
      and contact_id >= ${p.from}::uuid ${p.to ? sql`and contact_id < ${p.to}::uuid` : sql``}
    order by contact_id, channel
    for update`);
  return [...rows].map((r) => ({
    ruleId: r.rule_id,
    contactId: r.contact_id,
    channel: r.channel,
    scheduledAt: r.scheduled_at instanceof Date ? r.scheduled_at : new Date(r.scheduled_at),
    status: r.status,
    reason: r.reason,
    messageId: r.message_id,
  }));
}

/** Records what became of sends (one statement); `channel` may change under a first-available policy. */
export async function resolveSends(
  tx: DbOrTx,
  { ruleId, rows }: { ruleId: string; rows: { contactId: string; channel: string; newChannel?: string; status: ReminderSendStatus; reason: string | null; messageId: string | null }[] },
) {
  if (rows.length === 0) return;
  const json = JSON.stringify(rows.map((r) => ({ contact_id: r.contactId, channel: r.channel, new_channel: r.newChannel ?? r.channel, status: r.status, reason: r.reason, message_id: r.messageId })));
  await tx.execute(sql`
    update reminder_sends s set status = x.status, reason = x.reason, message_id = x.message_id, channel = x.new_channel, updated_at = now()
    from jsonb_to_recordset(${json}::jsonb) as x(contact_id uuid, channel text, new_channel text, status text, reason text, message_id uuid)
    where s.rule_id = ${ruleId} and s.contact_id = x.contact_id and s.channel = x.channel`);
}

/** running → completed once nothing of the run is left planned. */
export async function completeRunIfDone(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }) {
  const [row] = await db
    .update(reminderRuns)
    .set({ status: "completed", finishedAt: new Date(), updatedAt: new Date() })
    .where(
      and(
        eq(reminderRuns.tenantId, tenantId),
        eq(reminderRuns.id, id),
        eq(reminderRuns.status, "running"),
        sql`not exists (select 1 from reminder_sends s where s.run_id = ${id} and s.status = 'planned')`,
      ),
    )
    .returning({ id: reminderRuns.id });
  return row !== undefined;
}

/** Cancels a run that has not finished: its planned sends are withdrawn (queued messages go on). */
export async function cancelRun(db: DbOrTx, { tenantId, id, now }: { tenantId: string; id: string; now: Date }) {
  const [row] = await db
    .update(reminderRuns)
    .set({ status: "cancelled", cancelledAt: now, updatedAt: new Date() })
    .where(and(eq(reminderRuns.tenantId, tenantId), eq(reminderRuns.id, id), sql`${reminderRuns.status} in ('scheduled', 'running')`))
    .returning();
  if (row) {
    await db.execute(sql`update reminder_sends set status = 'cancelled', reason = 'run_cancelled', updated_at = now() where run_id = ${id} and status = 'planned'`);
  }
  return row;
}

/** A firing that failed for good: what it had not handled in the range is marked failed; the run fails if nothing is left. */
export async function failChunk(db: DbOrTx, p: { tenantId: string; runId: string; from: string; to: string | null; error: string }) {
  await db.execute(sql`
    update reminder_sends set status = 'failed', reason = 'firing_failed', updated_at = now()
    where run_id = ${p.runId} and status = 'planned' and contact_id >= ${p.from}::uuid ${p.to ? sql`and contact_id < ${p.to}::uuid` : sql``}`);
  await db
    .update(reminderRuns)
    .set({ error: p.error.slice(0, 1000), updatedAt: new Date() })
    .where(and(eq(reminderRuns.tenantId, p.tenantId), eq(reminderRuns.id, p.runId)));
}

export async function failRun(db: DbOrTx, { tenantId, id, error }: { tenantId: string; id: string; error: string }) {
  await db.execute(sql`update reminder_sends set status = 'failed', reason = 'firing_failed', updated_at = now() where run_id = ${id} and status = 'planned'`);
  await db
    .update(reminderRuns)
    .set({ status: "failed", error: error.slice(0, 1000), finishedAt: new Date(), updatedAt: new Date() })
    .where(and(eq(reminderRuns.tenantId, tenantId), eq(reminderRuns.id, id), sql`${reminderRuns.status} in ('scheduled', 'running')`));
}

// ---------------------------------------------------------------------------------------------
// Figures: the one definition

export interface RunCounts {
  planned: number;
  pending: number;
  skipped: number;
  skippedByReason: Record<string, number>;
  cancelled: number;
  errored: number;
  messages: number;
  queued: number;
  sent: number;
  delivered: number;
  failed: number;
  opened: number;
  clicked: number;
  done: number;
}

/**
 * Each run's figures. Plan side from reminder_sends; message side from `messages` by
 * reminder_run_id — the same rows Messages shows for the run, so the two always agree.
 * A message in a final state (sent or beyond, failed, cancelled) counts as done.
 */
export async function runCounts(db: DbOrTx, { tenantId, runIds }: { tenantId: string; runIds: string[] }): Promise<Map<string, RunCounts>> {
  const out = new Map<string, RunCounts>();
  if (runIds.length === 0) return out;
  const ids = sql`${`{${runIds.join(",")}}`}::uuid[]`;
  const [plan, msgs] = await Promise.all([
    db.execute<{ run_id: string; status: string; reason: string | null; n: number }>(sql`
      select run_id, status, case when status = 'skipped' then reason end as reason, count(*)::int as n
      from reminder_sends where run_id = any(${ids}) and tenant_id = ${tenantId}
      group by 1, 2, 3`),
    db.execute<{ run_id: string; total: number; queued: number; sent: number; delivered: number; failed: number; cancelled: number; opened: number; clicked: number }>(sql`
      select reminder_run_id as run_id, count(*)::int as total,
        count(*) filter (where status in ('scheduled', 'queued', 'sending'))::int as queued,
        count(*) filter (where status = 'sent')::int as sent,
        count(*) filter (where status in ('delivered', 'opened', 'clicked', 'read'))::int as delivered,
        count(*) filter (where status in ('failed', 'bounced', 'undelivered'))::int as failed,
        count(*) filter (where status = 'cancelled')::int as cancelled,
        count(*) filter (where unique_opens > 0 or status in ('opened', 'clicked'))::int as opened,
        count(*) filter (where unique_clicks > 0 or status = 'clicked')::int as clicked
      from messages where reminder_run_id = any(${ids}) and tenant_id = ${tenantId}
      group by 1`),
  ]);
  const empty = (): RunCounts => ({ planned: 0, pending: 0, skipped: 0, skippedByReason: {}, cancelled: 0, errored: 0, messages: 0, queued: 0, sent: 0, delivered: 0, failed: 0, opened: 0, clicked: 0, done: 0 });
  for (const id of runIds) out.set(id, empty());
  for (const r of plan) {
    const c = out.get(r.run_id)!;
    const n = Number(r.n);
    c.planned += n;
    if (r.status === "planned") c.pending += n;
    else if (r.status === "skipped") {
      c.skipped += n;
      const k = r.reason ?? "other";
      c.skippedByReason[k] = (c.skippedByReason[k] ?? 0) + n;
    } else if (r.status === "cancelled") c.cancelled += n;
    else if (r.status === "failed") c.errored += n;
  }
  for (const m of msgs) {
    const c = out.get(m.run_id)!;
    c.messages = Number(m.total);
    c.queued = Number(m.queued);
    c.sent = Number(m.sent);
    c.delivered = Number(m.delivered);
    c.failed = Number(m.failed);
    c.opened = Number(m.opened);
    c.clicked = Number(m.clicked);
    // Cancelled messages are done too (a scheduled send withdrawn before it went).
    c.done += Number(m.total) - Number(m.queued);
  }
  for (const c of out.values()) c.done += c.skipped + c.cancelled + c.errored;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Lists

export interface RunListRow {
  run: ReminderRun;
  eventTitle: string;
  ruleName: string;
  purpose: "reminder" | "cancellation_notice";
}

/** Keyset page of runs: upcoming (scheduled, soonest first) or history (latest instant first). */
export async function listRuns(
  db: DbOrTx,
  f: { tenantId: string; eventId?: string; status?: ReminderRun["status"]; upcoming: boolean; after?: { at: Date; id: string }; limit: number },
): Promise<RunListRow[]> {
  const conditions: (SQL | undefined)[] = [
    eq(reminderRuns.tenantId, f.tenantId),
    f.eventId ? eq(reminderRuns.eventId, f.eventId) : undefined,
    f.upcoming ? eq(reminderRuns.status, "scheduled") : f.status ? eq(reminderRuns.status, f.status) : undefined,
    f.after
      ? f.upcoming
        ? sql`(${reminderRuns.scheduledAt}, ${reminderRuns.id}) > (${f.after.at.toISOString()}::timestamptz, ${f.after.id}::uuid)`
        : sql`(${reminderRuns.scheduledAt}, ${reminderRuns.id}) < (${f.after.at.toISOString()}::timestamptz, ${f.after.id}::uuid)`
      : undefined,
  ];
  const rows = await db
    .select({ run: reminderRuns, eventTitle: events.title, ruleName: reminderRules.name, purpose: reminderRules.purpose })
    .from(reminderRuns)
    .innerJoin(events, eq(events.id, reminderRuns.eventId))
    .innerJoin(reminderRules, eq(reminderRules.id, reminderRuns.ruleId))
    .where(and(...conditions))
    .orderBy(f.upcoming ? asc(reminderRuns.scheduledAt) : desc(reminderRuns.scheduledAt), f.upcoming ? asc(reminderRuns.id) : desc(reminderRuns.id))
    .limit(f.limit);
  return rows;
}

export async function findRunRow(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }): Promise<RunListRow | undefined> {
  const [row] = await db
    .select({ run: reminderRuns, eventTitle: events.title, ruleName: reminderRules.name, purpose: reminderRules.purpose })
    .from(reminderRuns)
    .innerJoin(events, eq(events.id, reminderRuns.eventId))
    .innerJoin(reminderRules, eq(reminderRules.id, reminderRuns.ruleId))
    .where(and(eq(reminderRuns.tenantId, tenantId), eq(reminderRuns.id, id)));
  return row;
}
