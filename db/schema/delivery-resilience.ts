// Delivery resilience: provider config circuit breakers, tenant send limits, shared rate buckets
// and concurrency slots, and the record of dead-letter replays.
import { bigserial, doublePrecision, index, integer, pgTable, primaryKey, real, text, timestamp, uuid } from "drizzle-orm/pg-core";
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

/** Per-tenant overrides of the send quota and delivery concurrency (env defaults otherwise). */
export const tenantLimits = pgTable("tenant_limits", {
  tenantId: uuid("tenant_id")
    .primaryKey()
    .references(() => tenants.id, { onDelete: "cascade" }),
  /** Messages accepted per second at the API; null = the env default (unlimited when unset). */
  sendsPerSecond: integer("sends_per_second"),
  /** Deliveries of this tenant in flight at once; null = the env default. */
  maxConcurrentDeliveries: integer("max_concurrent_deliveries"),
  updatedAt: timestamp("updated_at", { withTimezone: true })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date()),
});

/** Token buckets shared by every process (per-config send rate, per-tenant send quota). */
export const sendRateBuckets = pgTable("send_rate_buckets", {
  key: text("key").primaryKey(),
  tokens: doublePrecision("tokens").notNull(),
  refilledAt: timestamp("refilled_at", { withTimezone: true }).notNull(),
});

/** Concurrency slots: one row per holder of a key; a slot whose holder died lapses at expires_at. */
export const deliverySlots = pgTable(
  "delivery_slots",
  {
    key: text("key").notNull(),
    holder: text("holder").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.key, t.holder] }), index("delivery_slots_key_expires_idx").on(t.key, t.expiresAt)],
);

export const deadLetterKinds = ["message", "communication_event", "call_event", "job"] as const;
export type DeadLetterKind = (typeof deadLetterKinds)[number];

/** Who replayed which dead letter, and when. */
export const deadLetterReplays = pgTable(
  "dead_letter_replays",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: deadLetterKinds }).notNull(),
    targetId: uuid("target_id").notNull(),
    actorType: text("actor_type").notNull(),
    actorId: text("actor_id"),
    actorLabel: text("actor_label").notNull(),
    requestId: text("request_id"),
    replayedAt: timestamp("replayed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("dead_letter_replays_target_idx").on(t.tenantId, t.targetId, t.replayedAt)],
);

export type ProviderConfigHealth = typeof providerConfigHealth.$inferSelect;
export type ProviderConfigBreakerEvent = typeof providerConfigBreakerEvents.$inferSelect;
export type TenantLimits = typeof tenantLimits.$inferSelect;
export type DeadLetterReplay = typeof deadLetterReplays.$inferSelect;
