// Usage: increments appended in the transaction of the change that causes them, folded into hourly rollups.
import { and, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { usageConfigHourly, usageTenantHourly, type Channel, type ProviderKind } from "../schema";

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

/**
 * Appends usage increments in the caller's transaction: an insert only, so concurrent deliveries
 * and webhooks of one tenant never wait on each other's rollup rows. `foldUsageDeltas` moves them
 * into the hourly rollups.
 */
export async function appendUsage(db: DbOrTx, deltas: UsageDelta[]) {
  if (deltas.length === 0) return;
  const json = JSON.stringify(
    deltas.map((d) => ({
      tenant_id: d.tenantId,
      config_id: d.configId && d.provider ? d.configId : null,
      provider: d.configId && d.provider ? d.provider : null,
      channel: d.channel,
      hour: hourOf(d.at).toISOString(),
      ...Object.fromEntries(COUNTERS.map((k) => [k, d[k] ?? 0])),
      cost: d.cost ?? 0,
      cost_currency: d.costCurrency ?? null,
      last_sent_at: d.sent ? d.at.toISOString() : null,
    })),
  );
  await db.execute(sql`
    insert into usage_deltas (tenant_id, config_id, provider, channel, hour, sent, delivered, opened, clicked, bounced, failed, segments, cost, cost_currency, last_sent_at)
    select x.tenant_id, x.config_id, x.provider, x.channel, x.hour, x.sent, x.delivered, x.opened, x.clicked, x.bounced, x.failed, x.segments, x.cost, x.cost_currency, x.last_sent_at
    from jsonb_to_recordset(${json}::jsonb) as x(
      tenant_id uuid, config_id uuid, provider provider_kind, channel message_channel, hour timestamptz,
      sent bigint, delivered bigint, opened bigint, clicked bigint, bounced bigint, failed bigint, segments bigint,
      cost numeric, cost_currency text, last_sent_at timestamptz)`);
}

/**
 * Folds pending usage increments into the hourly rollups and the configs' counters in one
 * statement (claimed with SKIP LOCKED, so concurrent folders split the work). Returns how many
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
      insert into usage_config_hourly (tenant_id, config_id, provider, channel, hour, sent, delivered, opened, clicked, bounced, failed, segments, cost, cost_currency)
      select tenant_id, config_id, provider, channel, hour, sum(sent), sum(delivered), sum(opened), sum(clicked), sum(bounced), sum(failed), sum(segments), sum(cost), max(cost_currency)
      from d where config_id is not null
      group by config_id, hour, tenant_id, provider, channel order by config_id, hour
      on conflict (config_id, hour) do update set
        sent = usage_config_hourly.sent + excluded.sent,
        delivered = usage_config_hourly.delivered + excluded.delivered,
        opened = usage_config_hourly.opened + excluded.opened,
        clicked = usage_config_hourly.clicked + excluded.clicked,
        bounced = usage_config_hourly.bounced + excluded.bounced,
        failed = usage_config_hourly.failed + excluded.failed,
        segments = usage_config_hourly.segments + excluded.segments,
        cost = usage_config_hourly.cost + excluded.cost,
        cost_currency = coalesce(excluded.cost_currency, usage_config_hourly.cost_currency)
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
    select (select count(*) from d)::int as folded, (select count(*) from t) + (select count(*) from c) + (select count(*) from p) as touched`);
  return Number(rows[0]?.folded ?? 0);
}

const sums = {
  sent: sql<number>`coalesce(sum(sent), 0)::float8`,
  delivered: sql<number>`coalesce(sum(delivered), 0)::float8`,
  opened: sql<number>`coalesce(sum(opened), 0)::float8`,
  clicked: sql<number>`coalesce(sum(clicked), 0)::float8`,
  bounced: sql<number>`coalesce(sum(bounced), 0)::float8`,
  failed: sql<number>`coalesce(sum(failed), 0)::float8`,
  segments: sql<number>`coalesce(sum(segments), 0)::float8`,
};

export type UsageSums = { [K in keyof typeof sums]: number };

/** Per-config series (hour or day buckets in UTC) for one tenant, optionally one config. */
export async function configUsageSeries(
  db: DbOrTx,
  f: { tenantId: string; configId?: string; from: Date; to: Date; granularity: "hour" | "day" },
) {
  const bucket = sql<Date>`date_trunc(${sql.raw(f.granularity === "day" ? "'day'" : "'hour'")}, ${usageConfigHourly.hour}, 'UTC')`;
  const where: (SQL | undefined)[] = [
    eq(usageConfigHourly.tenantId, f.tenantId),
    f.configId ? eq(usageConfigHourly.configId, f.configId) : undefined,
    gte(usageConfigHourly.hour, f.from),
    lt(usageConfigHourly.hour, f.to),
  ];
  return db
    .select({
      bucket,
      configId: usageConfigHourly.configId,
      provider: usageConfigHourly.provider,
      channel: usageConfigHourly.channel,
      ...sums,
      cost: sql<string>`coalesce(sum(${usageConfigHourly.cost}), 0)::text`,
      costCurrency: sql<string | null>`max(${usageConfigHourly.costCurrency})`,
    })
    .from(usageConfigHourly)
    .where(and(...where))
    .groupBy(bucket, usageConfigHourly.configId, usageConfigHourly.provider, usageConfigHourly.channel)
    .orderBy(bucket);
}

/** Per-channel series for a tenant (every message, including those that never reached a config). */
export async function tenantUsageSeries(db: DbOrTx, f: { tenantId: string; from: Date; to: Date; granularity: "hour" | "day" }) {
  const bucket = sql<Date>`date_trunc(${sql.raw(f.granularity === "day" ? "'day'" : "'hour'")}, ${usageTenantHourly.hour}, 'UTC')`;
  return db
    .select({ bucket, channel: usageTenantHourly.channel, ...sums })
    .from(usageTenantHourly)
    .where(and(eq(usageTenantHourly.tenantId, f.tenantId), gte(usageTenantHourly.hour, f.from), lt(usageTenantHourly.hour, f.to)))
    .groupBy(bucket, usageTenantHourly.channel)
    .orderBy(bucket);
}
