// Usage rollups: appended deltas folded into hourly per-config and per-tenant counters.
import { bigint, bigserial, index, numeric, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { channelEnum } from "./messages";
import { providerConfigs, providerKindEnum } from "./provider-configs";
import { tenants } from "./tenants";

const usageCounters = {
  sent: bigint("sent", { mode: "number" }).notNull().default(0),
  delivered: bigint("delivered", { mode: "number" }).notNull().default(0),
  /** Messages opened at least once in this hour (unique opens). */
  opened: bigint("opened", { mode: "number" }).notNull().default(0),
  clicked: bigint("clicked", { mode: "number" }).notNull().default(0),
  bounced: bigint("bounced", { mode: "number" }).notNull().default(0),
  failed: bigint("failed", { mode: "number" }).notNull().default(0),
  segments: bigint("segments", { mode: "number" }).notNull().default(0),
};

/**
 * Usage increments, appended (never updated) in the transaction of the status change that causes
 * them, and folded into the hourly rollups below by `foldUsageDeltas`. Appending keeps busy
 * tenants' deliveries and webhooks off the rollup rows' locks; reads add the increments not folded
 * yet, so the figures are exact at any moment, and a crash loses nothing.
 */
export const usageDeltas = pgTable("usage_deltas", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  tenantId: uuid("tenant_id").notNull(),
  configId: uuid("config_id"),
  provider: providerKindEnum("provider"),
  channel: channelEnum("channel").notNull(),
  hour: timestamp("hour", { withTimezone: true }).notNull(),
  ...usageCounters,
  cost: numeric("cost", { precision: 14, scale: 4 }).notNull().default("0"),
  costCurrency: text("cost_currency"),
  lastSentAt: timestamp("last_sent_at", { withTimezone: true }),
});

/** Per config and hour (folded from usage_deltas). */
export const usageConfigHourly = pgTable(
  "usage_config_hourly",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    configId: uuid("config_id")
      .notNull()
      .references(() => providerConfigs.id, { onDelete: "cascade" }),
    provider: providerKindEnum("provider").notNull(),
    channel: channelEnum("channel").notNull(),
    hour: timestamp("hour", { withTimezone: true }).notNull(),
    ...usageCounters,
    cost: numeric("cost", { precision: 14, scale: 4 }).notNull().default("0"),
    costCurrency: text("cost_currency"),
  },
  (t) => [primaryKey({ columns: [t.configId, t.hour] }), index("usage_config_hourly_tenant_hour_idx").on(t.tenantId, t.hour)],
);

/** Per tenant, channel and hour (includes messages that never reached a config, e.g. no route). */
export const usageTenantHourly = pgTable(
  "usage_tenant_hourly",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    channel: channelEnum("channel").notNull(),
    hour: timestamp("hour", { withTimezone: true }).notNull(),
    ...usageCounters,
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.hour, t.channel] })],
);

export type UsageConfigHourly = typeof usageConfigHourly.$inferSelect;
export type UsageTenantHourly = typeof usageTenantHourly.$inferSelect;

/** Provider cost per config, hour and currency: amounts in different currencies are never added together. */
/**
 * Folded from usage_deltas with the counters. A config's cost can come in more than one currency
 * (a provider prices per destination), so the currency is part of the key; the per-config rollup's
 * own cost column held one currency per hour and is no longer read.
 */
export const usageCostHourly = pgTable(
  "usage_cost_hourly",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    configId: uuid("config_id")
      .notNull()
      .references(() => providerConfigs.id, { onDelete: "cascade" }),
    hour: timestamp("hour", { withTimezone: true }).notNull(),
    currency: text("currency").notNull(),
    cost: numeric("cost", { precision: 14, scale: 4 }).notNull().default("0"),
  },
  (t) => [primaryKey({ columns: [t.configId, t.hour, t.currency] }), index("usage_cost_hourly_tenant_hour_idx").on(t.tenantId, t.hour)],
);

export type UsageCostHourly = typeof usageCostHourly.$inferSelect;
