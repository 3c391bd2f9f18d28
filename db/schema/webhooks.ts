// Inbound provider webhooks (one row per provider event), the suppression list and usage rollups.
import { sql } from "drizzle-orm";
import { bigint, bigserial, index, integer, jsonb, numeric, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { channelEnum, messages } from "./messages";
import { providerConfigs, providerKindEnum } from "./provider-configs";
import { tenants } from "./tenants";

/**
 * pending: recorded and acknowledged, not applied yet (a large batch waiting for the worker, or
 * a report that arrived before Herald recorded the send). processed: applied (or a no-op by
 * the forward-only rules). unmatched: no Herald message fits. failed: could not be applied.
 */
export const webhookEventStatuses = ["pending", "processed", "unmatched", "failed"] as const;
export type WebhookEventStatus = (typeof webhookEventStatuses)[number];

/** How the request proved it came from the provider (only verified requests are ever stored). */
export const webhookVerifications = ["ecdsa_p256", "hmac_sha256", "hmac_sha1", "callback_token"] as const;
export type WebhookVerification = (typeof webhookVerifications)[number];

export const webhookEvents = pgTable(
  "webhook_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    configId: uuid("config_id").references(() => providerConfigs.id, { onDelete: "set null" }),
    provider: providerKindEnum("provider").notNull(),
    /** The provider's event identity: sg_event_id, Mailgun event id, `MessageSid:status`, … */
    eventKey: text("event_key").notNull(),
    /** Herald's name for what happened: delivered, bounced, open, click, inbound, … */
    eventType: text("event_type").notNull(),
    /** The provider's own event word (`bounce`, `MessageStatus=undelivered`, `DELIVERED_TO_HANDSET`). */
    providerEvent: text("provider_event").notNull(),
    verification: text("verification", { enum: webhookVerifications }).notNull(),
    status: text("status", { enum: webhookEventStatuses }).notNull().default("pending"),
    messageId: uuid("message_id").references(() => messages.id, { onDelete: "set null" }),
    /** The provider's message id (or recipient address) as the event names it. */
    providerMessageId: text("provider_message_id"),
    recipient: text("recipient"),
    /** When the provider says it happened. */
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp("processed_at", { withTimezone: true }),
    processingAttempts: integer("processing_attempts").notNull().default(0),
    /** What processing did (e.g. "sent → delivered", "no change: already opened") or why it failed. */
    outcome: text("outcome"),
    /** Times the same event was received again (acknowledged, nothing changed). */
    duplicateCount: integer("duplicate_count").notNull().default(0),
    lastDuplicateAt: timestamp("last_duplicate_at", { withTimezone: true }),
    /** The provider's event as received (one element of a batch). */
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    /** What Herald read from it (match keys, URL, bounce type, error code, inbound text…). */
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    uniqueIndex("webhook_events_tenant_provider_key_unique").on(t.tenantId, t.provider, t.eventKey),
    index("webhook_events_tenant_received_idx").on(t.tenantId, t.receivedAt, t.id),
    index("webhook_events_pending_idx").on(t.tenantId, t.receivedAt).where(sql`${t.status} = 'pending'`),
    index("webhook_events_message_idx").on(t.messageId),
  ],
);

export type WebhookEvent = typeof webhookEvents.$inferSelect;
export type NewWebhookEvent = typeof webhookEvents.$inferInsert;

export const suppressionReasons = ["unsubscribe", "hard_bounce", "spam_report", "manual"] as const;
export type SuppressionReason = (typeof suppressionReasons)[number];

/** Addresses a tenant must not send to again on a channel (email address or E.164 number, lower-cased). */
export const suppressions = pgTable(
  "suppressions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    channel: channelEnum("channel").notNull(),
    address: text("address").notNull(),
    reason: text("reason", { enum: suppressionReasons }).notNull(),
    provider: providerKindEnum("provider"),
    sourceEventId: uuid("source_event_id").references(() => webhookEvents.id, { onDelete: "set null" }),
    messageId: uuid("message_id").references(() => messages.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("suppressions_tenant_channel_address_unique").on(t.tenantId, t.channel, t.address)],
);

export type Suppression = typeof suppressions.$inferSelect;

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
 * tenants' deliveries and webhooks off the rollup rows' locks; folding before every read keeps
 * the figures exact, and a crash loses nothing.
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
