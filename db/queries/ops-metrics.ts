// Deployment-wide figures read when Prometheus scrapes /api/metrics (across tenants, by design):
// each is a probe of a partial index over the work still pending, so a scrape stays cheap
// however large the finished history grows.
import { sql } from "drizzle-orm";
import type { DbOrTx } from "../index";

export interface PendingWork {
  pending: number;
  /** Age in seconds of the oldest pending row; 0 when none. */
  oldestSeconds: number;
}

const pendingOf = (r: { pending: unknown; oldest: unknown } | undefined): PendingWork => ({
  pending: Number(r?.pending ?? 0),
  oldestSeconds: Math.max(0, Number(r?.oldest ?? 0)),
});

/** Outbox events not yet handed to the job engine (outbox_pending_idx). */
export async function outboxPending(db: DbOrTx): Promise<PendingWork> {
  const [r] = await db.execute<{ pending: string; oldest: string | null }>(sql`
    select count(*) as pending, extract(epoch from now() - min(created_at)) as oldest
    from outbox_events where dispatched_at is null`);
  return pendingOf(r);
}

/** Rows waiting for RabbitMQ, per broker-outbox kind (each table's pending partial index). */
export async function brokerOutboxPending(db: DbOrTx): Promise<Record<"call_event" | "call_command" | "communication_event", PendingWork>> {
  const [r] = await db.execute<Record<string, string | null>>(sql`
    select
      (select count(*) from call_event_logs where publish_status = 'queued') as call_event_pending,
      (select extract(epoch from now() - created_time) from call_event_logs where publish_status = 'queued' order by seq limit 1) as call_event_oldest,
      (select count(*) from call_commands where publish_status = 'queued') as call_command_pending,
      (select extract(epoch from now() - created_at) from call_commands where publish_status = 'queued' order by created_at, id limit 1) as call_command_oldest,
      (select count(*) from communication_events where status = 'pending') as communication_event_pending,
      (select extract(epoch from now() - min(created_at)) from communication_events where status = 'pending') as communication_event_oldest`);
  return {
    call_event: pendingOf({ pending: r?.call_event_pending, oldest: r?.call_event_oldest }),
    call_command: pendingOf({ pending: r?.call_command_pending, oldest: r?.call_command_oldest }),
    communication_event: pendingOf({ pending: r?.communication_event_pending, oldest: r?.communication_event_oldest }),
  };
}

/** Circuit breakers by provider and state, over configs that can send (no health row = closed). */
export async function breakerStateCounts(db: DbOrTx): Promise<{ provider: string; state: string; configs: number }[]> {
  const rows = await db.execute<{ provider: string; state: string; configs: string }>(sql`
    select c.provider::text as provider, coalesce(h.state, 'closed') as state, count(*) as configs
    from provider_configs c left join provider_config_health h on h.config_id = c.id
    where c.status in ('active', 'error', 'paused')
    group by 1, 2`);
  return rows.map((r) => ({ provider: r.provider, state: r.state, configs: Number(r.configs) }));
}

export interface QueueFigures {
  queue: string;
  /** Jobs waiting (created or retry), due or scheduled. */
  queued: number;
  /** Of those, due now (start_after passed). */
  due: number;
  /** Age in seconds of the oldest due job (its creation); 0 when none. */
  oldestDueSeconds: number;
}

/**
 * pg-boss queues (one per workflow), read through the index pg-boss itself fetches with
 * (`state < 'active'`); running jobs are not counted because no index covers them and the table
 * keeps hours of finished jobs. Empty when pg-boss has no schema here (the Inngest engine keeps
 * its queues on its own servers).
 */
export async function pgBossQueueFigures(db: DbOrTx): Promise<QueueFigures[]> {
  const [exists] = await db.execute<{ t: string | null }>(sql`select to_regclass('pgboss.job')::text as t`);
  if (!exists?.t) return [];
  // Every workflow's queue (not pg-boss's own), so an idle workflow reports 0 rather than no series.
  const rows = await db.execute<{ name: string; queued: string | null; due: string | null; oldest: string | null }>(sql`
    select q.name, j.queued, j.due, j.oldest
    from pgboss.queue q left join (
      select name,
        count(*) as queued,
        count(*) filter (where start_after <= now()) as due,
        extract(epoch from now() - min(created_on) filter (where start_after <= now())) as oldest
      from pgboss.job where state < 'active'
      group by name
    ) j on j.name = q.name
    where left(q.name, 10) <> '__pgboss__'`);
  return rows.map((r) => ({
    queue: r.name,
    queued: Number(r.queued ?? 0),
    due: Number(r.due ?? 0),
    oldestDueSeconds: Math.max(0, Number(r.oldest ?? 0)),
  }));
}
