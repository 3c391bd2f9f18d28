// The reminder plan (reminder_sends): written per rule from the audience in a few set-based
// statements, so planning a 100,000-contact event is a handful of queries, not 300,000 rows in JS.
import { sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../index";

/** One instant per recipient zone ('' = no or unknown zone: the event's) and channel. */
export interface ZoneInstant {
  zone: string;
  channel: string;
  at: Date;
  /** A skip the planner already knows (quiet hours push it past the event). */
  reason: string | null;
}

/** Serialises planning of one event across processes (held until the caller's transaction ends). */
export async function lockEventPlan(tx: DbOrTx, { eventId }: { eventId: string }) {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`reminder-plan:${eventId}`}, 0))`);
}

/** The distinct zones of an audience ('' for contacts without one). */
export async function audienceZones(db: DbOrTx, { tenantId, where }: { tenantId: string; where: SQL }): Promise<string[]> {
  const rows = await db.execute<{ zone: string }>(sql`select distinct coalesce(contacts.timezone, '') as zone from contacts where contacts.tenant_id = ${tenantId} and ${where}`);
  return [...rows].map((r) => r.zone);
}

/**
 * Brings one rule's plan in line with its audience and instants:
 * - new audience members get rows; a member whose instant belongs to a run that already fired
 *   gets a `cancelled` row (`joined_after_firing`) unless the rule catches up;
 * - planned rows whose instant changed (a moved event) take the new one and leave their run;
 * - rows of members who left the audience, or of channels the rule dropped, are cancelled
 *   (and come back if they return while their instant is still ahead).
 * Rows already queued, skipped or failed are history and never change.
 */
export async function syncRulePlan(
  db: DbOrTx,
  p: { tenantId: string; eventId: string; ruleId: string; where: SQL; channels: string[]; instants: ZoneInstant[]; catchUp: boolean; now: Date },
) {
  const plan = JSON.stringify(p.instants.map((i) => ({ zone: i.zone, channel: i.channel, at: i.at.toISOString(), reason: i.reason })));
  const channels = sql`${`{${p.channels.join(",")}}`}::text[]`;
  const late = sql`(not ${p.catchUp} and r.at in (select scheduled_at from fired))`;
  const upserted = await db.execute<{ n: number | string }>(sql`
    with plan as (
      select * from jsonb_to_recordset(${plan}::jsonb) as x(zone text, channel text, at timestamptz, reason text)
    ), aud as (
      select contacts.id, coalesce(contacts.timezone, '') as zone from contacts where contacts.tenant_id = ${p.tenantId} and ${p.where}
    ), rows as (
      select aud.id as contact_id, d.channel, coalesce(z.at, d.at) as at, case when z.zone is not null then z.reason else d.reason end as reason
      from aud
      join plan d on d.zone = ''
      left join plan z on z.zone = aud.zone and z.channel = d.channel and aud.zone <> ''
    ), fired as (
      select scheduled_at from reminder_runs where rule_id = ${p.ruleId} and started_at is not null
    ), updated as (
      update reminder_sends s set scheduled_at = r.at, reason = r.reason, status = 'planned', run_id = null, updated_at = now()
      from rows r
      where s.rule_id = ${p.ruleId} and s.contact_id = r.contact_id and s.channel = r.channel
        and ((s.status = 'planned' and (s.scheduled_at, coalesce(s.reason, '')) is distinct from (r.at, coalesce(r.reason, '')))
          or (s.status = 'cancelled' and s.reason in ('removed_from_audience', 'rule_changed')
            and r.at > ${p.now.toISOString()}::timestamptz and not ${late}))
      returning 1
    ), inserted as (
      insert into reminder_sends (rule_id, contact_id, channel, tenant_id, event_id, scheduled_at, status, reason)
      select ${p.ruleId}::uuid, r.contact_id, r.channel, ${p.tenantId}::uuid, ${p.eventId}::uuid, r.at,
        case when ${late} then 'cancelled' else 'planned' end,
        case when ${late} then 'joined_after_firing' else r.reason end
      from rows r
      on conflict (rule_id, contact_id, channel) do nothing
      returning 1
    )
    select (select count(*) from updated) + (select count(*) from inserted) as n`);
  const removed = await db.execute(sql`
    update reminder_sends s set status = 'cancelled', reason = case when s.channel = any(${channels}) then 'removed_from_audience' else 'rule_changed' end, updated_at = now()
    where s.rule_id = ${p.ruleId} and s.status = 'planned'
      and (not (s.channel = any(${channels}))
        or not exists (select 1 from contacts where contacts.id = s.contact_id and contacts.tenant_id = ${p.tenantId} and ${p.where}))
    returning 1`);
  return { upserted: Number([...upserted][0]?.n ?? 0), removed: removed.length };
}

export interface ScheduledRun {
  id: string;
  scheduledAt: Date;
  firings: number;
}

/**
 * Gives every planned row of the rule its run (one per instant), re-opens a completed run that
 * gained rows (a catch-up), cancels rows that landed in a cancelled run, drops runs that never
 * fired and lost all their rows (a move), and answers the rule's runs still to fire.
 */
export async function attachRuns(db: DbOrTx, { tenantId, eventId, ruleId }: { tenantId: string; eventId: string; ruleId: string }): Promise<ScheduledRun[]> {
  await db.execute(sql`
    insert into reminder_runs (tenant_id, event_id, rule_id, scheduled_at)
    select distinct ${tenantId}::uuid, ${eventId}::uuid, rule_id, scheduled_at from reminder_sends
    where rule_id = ${ruleId} and status = 'planned' and run_id is null
    on conflict (rule_id, scheduled_at) do nothing`);
  await db.execute(sql`
    update reminder_sends s set run_id = r.id, updated_at = now() from reminder_runs r
    where s.rule_id = ${ruleId} and s.status = 'planned' and s.run_id is null and r.rule_id = s.rule_id and r.scheduled_at = s.scheduled_at`);
  await db.execute(sql`
    update reminder_sends s set status = 'cancelled', reason = 'run_cancelled', updated_at = now() from reminder_runs r
    where s.run_id = r.id and r.rule_id = ${ruleId} and r.status = 'cancelled' and s.status = 'planned'`);
  await db.execute(sql`
    update reminder_runs r set status = 'scheduled', finished_at = null, updated_at = now()
    where r.rule_id = ${ruleId} and r.status in ('completed', 'failed')
      and exists (select 1 from reminder_sends s where s.run_id = r.id and s.status = 'planned')`);
  await db.execute(sql`
    delete from reminder_runs r where r.rule_id = ${ruleId} and r.status = 'scheduled' and r.started_at is null
      and not exists (select 1 from reminder_sends s where s.run_id = r.id)`);
  const rows = await db.execute<{ id: string; scheduled_at: string | Date; firings: number }>(sql`
    select id, scheduled_at, firings from reminder_runs where rule_id = ${ruleId} and tenant_id = ${tenantId} and status = 'scheduled'`);
  return [...rows].map((r) => ({ id: r.id, scheduledAt: r.scheduled_at instanceof Date ? r.scheduled_at : new Date(r.scheduled_at), firings: Number(r.firings) }));
}

/** Withdraws what a rule (or every rule of an event but `keepRuleIds`) still had planned, and its runs that had not started. */
export async function cancelPlanned(db: DbOrTx, p: { tenantId: string; eventId: string; ruleIds?: string[]; keepRuleIds?: string[]; reason: string; now: Date }) {
  const only = p.ruleIds ? sql`and rule_id = any(${`{${p.ruleIds.join(",")}}`}::uuid[])` : sql``;
  const keep = p.keepRuleIds?.length ? sql`and not (rule_id = any(${`{${p.keepRuleIds.join(",")}}`}::uuid[]))` : sql``;
  await db.execute(sql`
    update reminder_sends set status = 'cancelled', reason = ${p.reason}, updated_at = now()
    where event_id = ${p.eventId} and tenant_id = ${p.tenantId} and status = 'planned' ${only} ${keep}`);
  await db.execute(sql`
    update reminder_runs set status = 'cancelled', cancelled_at = ${p.now.toISOString()}::timestamptz, updated_at = now()
    where event_id = ${p.eventId} and tenant_id = ${p.tenantId} and status in ('scheduled', 'running') ${only} ${keep}`);
}
