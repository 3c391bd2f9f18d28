// Usage: increments appended in the transaction of the change that causes them, folded into hourly rollups.
import { sql } from "drizzle-orm";
import type { DbOrTx } from "../index";
import type { Channel, ProviderKind } from "../schema";

export interface UsageDelta {
  tenantId: string;
  configId: string | null;
  provider: ProviderKind | null;
  channel: Channel;
  at: Date;
  sent?: number;
  delivered?: number;
  opened?: number;
  clicked?: number;
  bounced?: number;
  failed?: number;
  segments?: number;
  cost?: number;
  costCurrency?: string | null;
}

const COUNTERS = ["sent", "delivered", "opened", "clicked", "bounced", "failed", "segments"] as const;

function hourOf(d: Date): Date {
  const h = new Date(d);
  h.setUTCMinutes(0, 0, 0);
  return h;
}

/** A usage increment as the JSON record the usage_deltas inserts read (here and in the one-statement terminal transition). */
export function usageRecord(d: UsageDelta) {
  return {
    tenant_id: d.tenantId,
    config_id: d.configId && d.provider ? d.configId : null,
    provider: d.configId && d.provider ? d.provider : null,
    channel: d.channel,
    hour: hourOf(d.at).toISOString(),
    ...Object.fromEntries(COUNTERS.map((k) => [k, d[k] ?? 0])),
    cost: d.cost ?? 0,
    cost_currency: d.costCurrency ?? null,
    last_sent_at: d.sent ? d.at.toISOString() : null,
  };
}

/**
 * Appends usage increments in the caller's transaction: an insert only, so concurrent deliveries
 * and webhooks of one tenant never wait on each other's rollup rows. `foldUsageDeltas` moves them
 * into the hourly rollups.
 */
export async function appendUsage(db: DbOrTx, deltas: UsageDelta[]) {
  if (deltas.length === 0) return;
  const json = JSON.stringify(deltas.map(usageRecord));
  await db.execute(sql`
    insert into usage_deltas (tenant_id, config_id, provider, channel, hour, sent, delivered, opened, clicked, bounced, failed, segments, cost, cost_currency, last_sent_at)
    select x.tenant_id, x.config_id, x.provider, x.channel, x.hour, x.sent, x.delivered, x.opened, x.clicked, x.bounced, x.failed, x.segments, x.cost, x.cost_currency, x.last_sent_at
    from jsonb_to_recordset(${json}::jsonb) as x(
      tenant_id uuid, config_id uuid, provider provider_kind, channel message_channel, hour timestamptz,
      sent bigint, delivered bigint, opened bigint, clicked bigint, bounced bigint, failed bigint, segments bigint,
      cost numeric, cost_currency text, last_sent_at timestamptz)`);
}

/**
 * Folds pending usage increments into the hourly rollups (counters, cost per currency) and the
 * configs' counters in one statement (claimed with SKIP LOCKED, so concurrent folders split the
 * work). Reads never depend on it: they add the unfolded increments themselves. Returns how many
 * increments it folded.
 */
export async function foldUsageDeltas(db: DbOrTx, { limit = 20_000 }: { limit?: number } = {}): Promise<number> {
  const rows = await db.execute<{ folded: number }>(sql`
    with d as (
      delete from usage_deltas where id in (
        select id from usage_deltas order by id limit ${limit} for update skip locked
      ) returning *
    ),
    t as (
      insert into usage_tenant_hourly (tenant_id, hour, channel, sent, delivered, opened, clicked, bounced, failed, segments)
      select tenant_id, hour, channel, sum(sent), sum(delivered), sum(opened), sum(clicked), sum(bounced), sum(failed), sum(segments)
      from d group by tenant_id, hour, channel order by tenant_id, hour, channel
      on conflict (tenant_id, hour, channel) do update set
        sent = usage_tenant_hourly.sent + excluded.sent,
        delivered = usage_tenant_hourly.delivered + excluded.delivered,
        opened = usage_tenant_hourly.opened + excluded.opened,
        clicked = usage_tenant_hourly.clicked + excluded.clicked,
        bounced = usage_tenant_hourly.bounced + excluded.bounced,
        failed = usage_tenant_hourly.failed + excluded.failed,
        segments = usage_tenant_hourly.segments + excluded.segments
      returning 1
    ),
    c as (
      insert into usage_config_hourly (tenant_id, config_id, provider, channel, hour, sent, delivered, opened, clicked, bounced, failed, segments)
      select tenant_id, config_id, provider, channel, hour, sum(sent), sum(delivered), sum(opened), sum(clicked), sum(bounced), sum(failed), sum(segments)
      from d where config_id is not null
      group by config_id, hour, tenant_id, provider, channel order by config_id, hour
      on conflict (config_id, hour) do update set
        sent = usage_config_hourly.sent + excluded.sent,
        delivered = usage_config_hourly.delivered + excluded.delivered,
        opened = usage_config_hourly.opened + excluded.opened,
        clicked = usage_config_hourly.clicked + excluded.clicked,
        bounced = usage_config_hourly.bounced + excluded.bounced,
        failed = usage_config_hourly.failed + excluded.failed,
        segments = usage_config_hourly.segments + excluded.segments
      returning 1
    ),
    k as (
      insert into usage_cost_hourly (tenant_id, config_id, hour, currency, cost)
      select tenant_id, config_id, hour, cost_currency, sum(cost)
      from d where config_id is not null and cost_currency is not null and cost <> 0
      group by config_id, hour, cost_currency, tenant_id order by config_id, hour, cost_currency
      on conflict (config_id, hour, currency) do update set cost = usage_cost_hourly.cost + excluded.cost
      returning 1
    ),
    p as (
      update provider_configs pc set
        sent_count = pc.sent_count + x.sent,
        delivered_count = pc.delivered_count + x.delivered,
        failed_count = pc.failed_count + x.failed,
        last_sent_at = greatest(pc.last_sent_at, x.last_sent_at)
      from (
        select config_id, sum(sent) as sent, sum(delivered) as delivered, sum(failed) as failed, max(last_sent_at) as last_sent_at
        from d where config_id is not null group by config_id
      ) x
      where pc.id = x.config_id
      returning 1
    )
    select (select count(*) from d)::int as folded, (select count(*) from t) + (select count(*) from c) + (select count(*) from k) + (select count(*) from p) as touched`);
  return Number(rows[0]?.folded ?? 0);
}

const SUM_COLUMNS = sql.raw(COUNTERS.map((k) => `coalesce(sum(${k}), 0)::float8 as ${k}`).join(", "));
const COUNTER_LIST = sql.raw(COUNTERS.join(", "));

export type UsageSums = Record<(typeof COUNTERS)[number], number>;

/** Hours as they are; days from midnight in the tenant's zone (an hour-aligned zone is exact). */
function bucketOf(granularity: "hour" | "day", timeZone = "UTC") {
  return granularity === "day" ? sql`date_trunc('day', hour, ${timeZone}::text)` : sql.raw(`date_trunc('hour', hour, 'UTC')`);
}

/**
 * Reads are exact without folding first: each sums the rollups and the increments not folded
 * yet in ONE statement. The fold moves increments from usage_deltas into the rollups in one
 * statement too, so this statement's snapshot sees every increment exactly once — before the
 * fold commits in usage_deltas, after it in the rollups — however many folds run meanwhile.
 */
export async function configUsageSeries(
  db: DbOrTx,
  f: { tenantId: string; configId?: string; from: Date; to: Date; granularity: "hour" | "day"; timeZone?: string },
) {
  const config = f.configId ? sql`and config_id = ${f.configId}` : sql``;
  const range = sql`tenant_id = ${f.tenantId} and hour >= ${f.from.toISOString()}::timestamptz and hour < ${f.to.toISOString()}::timestamptz`;
  const rows = await db.execute<UsageSums & { bucket: string; config_id: string; provider: ProviderKind; channel: Channel }>(sql`
    select ${bucketOf(f.granularity, f.timeZone)} as bucket, config_id, provider, channel, ${SUM_COLUMNS}
    from (
      select config_id, provider, channel, hour, ${COUNTER_LIST} from usage_config_hourly where ${range} ${config}
      union all
      select config_id, provider, channel, hour, ${COUNTER_LIST} from usage_deltas where ${range} and config_id is not null ${config}
    ) u
    group by 1, config_id, provider, channel
    order by 1`);
  return rows.map((r) => ({ ...r, bucket: new Date(r.bucket), configId: r.config_id }));
}

/**
 * Cost per currency over a range (exact, as above): amounts in different currencies are never
 * added together. Rollups keep one currency per config and hour; increments carry their own.
 */
export async function configCostSums(db: DbOrTx, f: { tenantId: string; configId?: string; from: Date; to: Date }) {
  const config = f.configId ? sql`and config_id = ${f.configId}` : sql``;
  const range = sql`tenant_id = ${f.tenantId} and hour >= ${f.from.toISOString()}::timestamptz and hour < ${f.to.toISOString()}::timestamptz`;
  const rows = await db.execute<{ currency: string; amount: string }>(sql`
    select currency, sum(cost)::text as amount
    from (
      select currency, cost from usage_cost_hourly where ${range} ${config}
      union all
      select cost_currency as currency, cost from usage_deltas where ${range} and config_id is not null and cost_currency is not null ${config}
    ) u
    group by currency
    having sum(cost) <> 0
    order by currency`);
  return rows.map((r) => ({ currency: r.currency, amount: Number(r.amount) }));
}

/** Per-channel series for a tenant (every message, including those that never reached a config); exact, as above. */
export async function tenantUsageSeries(db: DbOrTx, f: { tenantId: string; from: Date; to: Date; granularity: "hour" | "day"; timeZone?: string }) {
  const range = sql`tenant_id = ${f.tenantId} and hour >= ${f.from.toISOString()}::timestamptz and hour < ${f.to.toISOString()}::timestamptz`;
  const rows = await db.execute<UsageSums & { bucket: string; channel: Channel }>(sql`
    select ${bucketOf(f.granularity, f.timeZone)} as bucket, channel, ${SUM_COLUMNS}
    from (
      select channel, hour, ${COUNTER_LIST} from usage_tenant_hourly where ${range}
      union all
      select channel, hour, ${COUNTER_LIST} from usage_deltas where ${range}
    ) u
    group by 1, channel
    order by 1`);
  return rows.map((r) => ({ ...r, bucket: new Date(r.bucket) }));
}
