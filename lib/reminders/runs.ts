// Reminder runs as the API and the Reminders page see them: history, the upcoming timeline, one
// run with its figures, cancelling one, and the terminal paths of a firing that failed for good.
import { getDb } from "@/db";
import { cancelRun as cancelRunRow, completeRunIfDone, failChunk, failRun, findRunRow, listRuns as listRunRows, runCounts, type RunCounts, type RunListRow } from "@/db/queries/reminder-runs";
import { ApiError } from "@/lib/api/errors";
import { decodeTimeIdCursor, encodeTimeIdCursor } from "@/lib/api/cursor";
import { recordAudit } from "@/lib/audit/record-audit";
import type { TenantContext } from "@/lib/tenancy/context";
import { runListOut, runOut, type ListRunsQuery, type RunCountsOut, type RunListOut, type RunOut } from "@/lib/validations/reminders";
import { reminderNow } from "./clock";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The figures as answered: the one definition in db/queries/reminder-runs.ts, plus the percentage done. */
export function countsOut(c: RunCounts): RunCountsOut {
  return {
    planned: c.planned,
    pending: c.pending,
    skipped: c.skipped,
    skipped_by_reason: c.skippedByReason,
    cancelled: c.cancelled,
    errored: c.errored,
    messages: c.messages,
    queued: c.queued,
    sent: c.sent,
    delivered: c.delivered,
    failed: c.failed,
    opened: c.opened,
    clicked: c.clicked,
    done: c.done,
    percent: c.planned === 0 ? 100 : Math.floor((c.done / c.planned) * 1000) / 10,
  };
}

function toRunOut(r: RunListRow, counts: RunCounts): RunOut {
  return runOut.parse({
    id: r.run.id,
    event_id: r.run.eventId,
    event_title: r.eventTitle,
    rule_id: r.run.ruleId,
    rule_name: r.ruleName,
    purpose: r.purpose,
    scheduled_at: r.run.scheduledAt.toISOString(),
    status: r.run.status,
    started_at: iso(r.run.startedAt),
    finished_at: iso(r.run.finishedAt),
    cancelled_at: iso(r.run.cancelledAt),
    error: r.run.error,
    counts: countsOut(counts),
  });
}

export async function listRuns(ctx: TenantContext, q: ListRunsQuery): Promise<RunListOut> {
  const db = getDb();
  const rows = await listRunRows(db, {
    tenantId: ctx.tenantId,
    eventId: q.event_id,
    status: q.status,
    upcoming: q.upcoming,
    after: q.cursor ? decodeTimeIdCursor(q.cursor) : undefined,
    limit: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const counts = await runCounts(db, { tenantId: ctx.tenantId, runIds: page.map((r) => r.run.id) });
  const last = page.at(-1);
  return runListOut.parse({
    data: page.map((r) => toRunOut(r, counts.get(r.run.id)!)),
    next_cursor: rows.length > q.limit && last ? encodeTimeIdCursor(last.run.scheduledAt, last.run.id) : null,
  });
}

export async function getRun(ctx: TenantContext, id: string): Promise<RunOut> {
  const db = getDb();
  const row = await findRunRow(db, { tenantId: ctx.tenantId, id });
  if (!row) throw ApiError.notFound("Reminder run");
  const counts = await runCounts(db, { tenantId: ctx.tenantId, runIds: [id] });
  return toRunOut(row, counts.get(id)!);
}

/** Stops a run that has not finished: what it had not sent yet is withdrawn (409 once it finished). */
export async function cancelRun(ctx: TenantContext, id: string): Promise<RunOut> {
  const db = getDb();
  const row = await findRunRow(db, { tenantId: ctx.tenantId, id });
  if (!row) throw ApiError.notFound("Reminder run");
  const cancelled = await db.transaction(async (tx) => {
    const r = await cancelRunRow(tx, { tenantId: ctx.tenantId, id, now: reminderNow() });
    if (r) await recordAudit(tx, ctx, { action: "reminder_run.cancelled", targetType: "reminder_run", targetId: id, details: { event_id: r.eventId, rule_id: r.ruleId } });
    return r;
  });
  if (!cancelled && row.run.status !== "cancelled") throw ApiError.conflict(`The run is ${row.run.status}; only a scheduled or running run can be cancelled.`, { status: row.run.status });
  return getRun(ctx, id);
}

/** A firing that failed for good: the run fails, its unsent sends are marked errored. */
export async function failReminderRun(input: { tenantId: string; runId: string; reason: string }) {
  await failRun(getDb(), { tenantId: input.tenantId, id: input.runId, error: input.reason });
}

/** A chunk that failed for good: its unsent sends are marked errored; the run completes when nothing is left. */
export async function failReminderChunk(input: { tenantId: string; runId: string; from: string; to: string | null; reason: string }) {
  const db = getDb();
  await failChunk(db, { tenantId: input.tenantId, runId: input.runId, from: input.from, to: input.to, error: input.reason });
  await completeRunIfDone(db, { tenantId: input.tenantId, id: input.runId });
}
