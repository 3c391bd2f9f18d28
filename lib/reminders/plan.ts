// Planning an event: for every active rule, the send instant of each audience member × channel,
// written to the plan, grouped into runs (one per rule and instant), each run's firing scheduled.
import { getDb, type DbOrTx } from "@/db";
import { findEvent, listRules, markEventPlanned } from "@/db/queries/events";
import { attachRuns, audienceZones, cancelPlanned, lockEventPlan, syncRulePlan, type ScheduledRun, type ZoneInstant } from "@/db/queries/reminder-plan";
import type { EventRecord, ReminderRule } from "@/db/schema/reminders";
import { emitEvents } from "@/lib/jobs/emit";
import { deterministicUuid } from "@/lib/jobs/run-id";
import { audienceWhere } from "./audience";
import { reminderNow } from "./clock";
import { planInstant } from "./planner";

/** The channels a rule plans: all of them, or under `first_available` the first (the firing falls back along the rest). */
export function plannedChannels(rule: Pick<ReminderRule, "channels" | "channelPolicy">): string[] {
  return rule.channelPolicy === "first_available" ? [rule.channels[0]!.channel] : rule.channels.map((c) => c.channel);
}

/** Per zone and channel: the planner runs once per distinct recipient zone, never per contact. */
export function zoneInstants(rule: Pick<ReminderRule, "timing" | "quietHours" | "channels" | "channelPolicy">, event: Pick<EventRecord, "startsAt" | "timezone">, zones: string[]): ZoneInstant[] {
  const out: ZoneInstant[] = [];
  const plan = { timing: rule.timing, quietHours: rule.quietHours };
  for (const zone of new Set(["", ...zones])) {
    for (const channel of plannedChannels(rule)) {
      const p = planInstant(plan, event, zone || null, channel);
      out.push({ zone, channel, at: p.at, reason: p.skip });
    }
  }
  return out;
}

/** The due event of a run's next firing: held until its instant, one per run and firing (both engines drop repeats). */
export function runDueEvent(tenantId: string, run: ScheduledRun) {
  return {
    name: "herald/reminder-run.due" as const,
    data: { tenantId, runId: run.id },
    tenantId,
    id: deterministicUuid(run.id, "due", String(run.firings)),
    startAfter: run.scheduledAt,
  };
}

async function planIn(tx: DbOrTx, tenantId: string, eventId: string) {
  await lockEventPlan(tx, { eventId });
  const event = await findEvent(tx, { tenantId, id: eventId });
  if (!event) return { runs: 0 };
  const now = reminderNow();
  const rules = await listRules(tx, { tenantId, eventId });
  // A cancelled event keeps only its cancellation notice.
  const live = event.status === "cancelled" ? rules.filter((r) => r.purpose === "cancellation_notice") : rules;
  if (event.status === "cancelled") await cancelPlanned(tx, { tenantId, eventId, keepRuleIds: live.map((r) => r.id), reason: "event_cancelled", now });
  const where = await audienceWhere(tx, event);
  const zones = live.length > 0 ? await audienceZones(tx, { tenantId, where }) : [];
  const runs: ScheduledRun[] = [];
  for (const rule of live) {
    await syncRulePlan(tx, {
      tenantId,
      eventId,
      ruleId: rule.id,
      where,
      channels: plannedChannels(rule),
      instants: zoneInstants(rule, event, zones),
      catchUp: rule.catchUp,
      now,
    });
    runs.push(...(await attachRuns(tx, { tenantId, eventId, ruleId: rule.id })));
  }
  await markEventPlanned(tx, { tenantId, id: eventId, requestedAt: event.planRequestedAt });
  await emitEvents(tx, runs.map((r) => runDueEvent(tenantId, r)));
  return { runs: runs.length };
}

/**
 * Re-plans one event (after any change to it, its rules or its audience; before a run of a list
 * or segment audience fires; and from the tick when a plan is behind). Serialised per event; a
 * deadlock with a firing chunk (both lock plan rows) is retried.
 */
export async function planEvent(tenantId: string, eventId: string): Promise<{ runs: number }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await getDb().transaction((tx) => planIn(tx, tenantId, eventId));
    } catch (err) {
      if (attempt >= 3 || !isDeadlock(err)) throw err;
    }
  }
}

function isDeadlock(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === "40P01") return true;
  }
  return false;
}
