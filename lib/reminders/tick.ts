// The reminder tick (once a minute, one run across processes): fires runs whose instant has come
// by the reminder clock, re-plans events whose plan fell behind a change, and releases scheduled
// sends whose delayed delivery job went missing. The delayed jobs do the work on time; the tick
// is what a lost job, a crash between a change and its plan, or a moved test clock relies on.
import { getDb } from "@/db";
import { eventsNeedingPlan } from "@/db/queries/events";
import { dueRuns } from "@/db/queries/reminder-runs";
import { overdueScheduledMessages } from "@/db/queries/scheduled-messages";
import { emitEvents } from "@/lib/jobs/emit";
import { deterministicUuid } from "@/lib/jobs/run-id";
import { logger } from "@/lib/logger";
import { reminderNow } from "./clock";
import { planEvent } from "./plan";

/** A scheduled send this late (by real time) is released by the tick rather than its own job. */
const SCHEDULED_GRACE_MS = 2 * 60_000;
const BATCH = 500;

export async function reminderTick() {
  const db = getDb();
  let replanned = 0;
  for (const e of await eventsNeedingPlan(db, { limit: 20 })) {
    try {
      await planEvent(e.tenantId, e.id);
      replanned++;
    } catch (err) {
      logger.warn({ err, eventId: e.id }, "re-planning an event failed; the next tick tries again");
    }
  }
  const due = await dueRuns(db, { now: reminderNow(), limit: BATCH });
  // One event per run and firing: a tick repeating it (or the planner's delayed job) is dropped by id.
  await emitEvents(
    db,
    due.map((r) => ({ name: "herald/reminder-run.due" as const, data: { tenantId: r.tenantId, runId: r.id }, tenantId: r.tenantId, id: deterministicUuid(r.id, "tick", String(r.firings)) })),
  );
  const overdue = await overdueScheduledMessages(db, { before: new Date(Date.now() - SCHEDULED_GRACE_MS), limit: BATCH });
  await emitEvents(
    db,
    overdue.map((m) => ({
      name: "herald/message.queued" as const,
      data: { tenantId: m.tenantId, messageId: m.id },
      tenantId: m.tenantId,
      id: deterministicUuid(m.id, "release", m.sendAt?.toISOString() ?? ""),
    })),
  );
  return { replanned, fired: due.length, released: overdue.length };
}
