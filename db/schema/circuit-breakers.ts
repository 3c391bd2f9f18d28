// Provider config circuit breakers: current state per config and every transition.
import { bigserial, index, integer, pgTable, real, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { providerConfigs } from "./provider-configs";
import { tenants } from "./tenants";

export const breakerStates = ["closed", "open", "half_open"] as const;
export type BreakerState = (typeof breakerStates)[number];

/**
 * The breaker of one provider config. No row = closed with no failures. `probe_message_id` is
 * the one message allowed through while half-open (claimed with a conditional update, so every
 * worker agrees on it).
 */
export const providerConfigHealth = pgTable("provider_config_health", {
  configId: uuid("config_id")
    .primaryKey()
    .references(() => providerConfigs.id, { onDelete: "cascade" }),
  tenantId: uuid("tenant_id")
    .notNull()
    .references(() => tenants.id, { onDelete: "cascade" }),
  state: text("state", { enum: breakerStates }).notNull().default("closed"),
  consecutiveFailures: integer("consecutive_failures").notNull().default(0),
  /** When an open breaker lets a probe through (opened_at + cool-down). */
  openUntil: timestamp("open_until", { withTimezone: true }),
  openedAt: timestamp("opened_at", { withTimezone: true }),
  probeMessageId: uuid("probe_message_id"),
  probeClaimedAt: timestamp("probe_claimed_at", { withTimezone: true }),
  reason: text("reason"),
  lastFailureAt: timestamp("last_failure_at", { withTimezone: true }),
  lastSuccessAt: timestamp("last_success_at", { withTimezone: true }),
  stateChangedAt: timestamp("state_changed_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Every breaker transition, with why and the figures that triggered it. */
export const providerConfigBreakerEvents = pgTable(
  "provider_config_breaker_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    configId: uuid("config_id")
      .notNull()
      .references(() => providerConfigs.id, { onDelete: "cascade" }),
    fromState: text("from_state", { enum: breakerStates }).notNull(),
    toState: text("to_state", { enum: breakerStates }).notNull(),
    reason: text("reason").notNull(),
    errorRate: real("error_rate"),
    calls: integer("calls"),
    consecutiveFailures: integer("consecutive_failures"),
    messageId: uuid("message_id"),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("provider_config_breaker_events_config_idx").on(t.configId, t.at)],
);

export type ProviderConfigHealth = typeof providerConfigHealth.$inferSelect;
export type ProviderConfigBreakerEvent = typeof providerConfigBreakerEvents.$inferSelect;
