// Inbound provider webhooks: one row per provider event.
import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { messages } from "./messages";
import { providerConfigs, providerKindEnum } from "./provider-configs";
import { tenants } from "./tenants";

/**
 * pending: recorded and acknowledged, not applied yet (a large batch waiting for the worker, or
 * a report that arrived before Herald recorded the send). processed: applied (or a no-op by
 * the forward-only rules). unmatched: no Herald message fits. failed: could not be applied.
 */
export const webhookEventStatuses = ["pending", "processed", "unmatched", "failed"] as const;
export type WebhookEventStatus = (typeof webhookEventStatuses)[number];

/**
 * How the request proved it came from the provider (only verified requests are ever stored).
 * `polled`: Herald asked the provider's API itself, with the config's credentials (a provider
 * that posts no reports); a text column, so a new value needs no migration.
 */
export const webhookVerifications = ["ecdsa_p256", "hmac_sha256", "hmac_sha1", "callback_token", "polled"] as const;
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
    index("webhook_events_received_brin").using("brin", t.receivedAt),
  ],
);

export type WebhookEvent = typeof webhookEvents.$inferSelect;
export type NewWebhookEvent = typeof webhookEvents.$inferInsert;

/**
 * Signatures that cover only a timestamp and a nonce (Mailgun signs `timestamp + token`, not the
 * body) would verify on any body for the whole freshness window. Every accepted nonce is kept
 * per config until it is too old to verify anyway; the primary key makes the insert the check,
 * so two concurrent replays cannot both pass. The body hash lets the provider's own retry of the
 * same request through (recorded as a duplicate) while a different body under it is refused.
 */
export const webhookNonces = pgTable(
  "webhook_nonces",
  {
    configId: uuid("config_id")
      .notNull()
      .references(() => providerConfigs.id, { onDelete: "cascade" }),
    nonce: text("nonce").notNull(),
    bodySha256: text("body_sha256").notNull(),
    signedAt: timestamp("signed_at", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.configId, t.nonce] }), index("webhook_nonces_config_signed_at_idx").on(t.configId, t.signedAt)],
);

export const webhookRejectionReasons = ["replayed_signature"] as const;
export type WebhookRejectionReason = (typeof webhookRejectionReasons)[number];

/**
 * Verified-but-refused webhook requests, counted per config, reason and hour (bounded however
 * many arrive), so a tenant can see that someone replays its provider's signatures.
 */
export const webhookRejections = pgTable(
  "webhook_rejections",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    configId: uuid("config_id")
      .notNull()
      .references(() => providerConfigs.id, { onDelete: "cascade" }),
    provider: providerKindEnum("provider").notNull(),
    reason: text("reason", { enum: webhookRejectionReasons }).notNull(),
    hour: timestamp("hour", { withTimezone: true }).notNull(),
    count: integer("count").notNull().default(0),
    lastAt: timestamp("last_at", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.configId, t.reason, t.hour] }), index("webhook_rejections_tenant_hour_idx").on(t.tenantId, t.hour)],
);

export type WebhookRejection = typeof webhookRejections.$inferSelect;

/**
 * Why a webhook request was refused, in the words of the Rejected log. A text column, so a new
 * reason needs no migration.
 */
export const webhookRefusalReasons = [
  "bad_signature",
  "missing_signature",
  "stale_timestamp",
  "no_verification_key",
  "replayed_signature",
  "unknown_config",
  "unparsable",
  "too_large",
] as const;
export type WebhookRefusalReason = (typeof webhookRefusalReasons)[number];

/**
 * Refused webhook requests as they arrived (reason, source, redacted headers, a payload excerpt),
 * so a misconfigured provider can be debugged. Bounded per tenant by the insert itself; rows of
 * config ids no tenant owns have no tenant and are shown only to operators.
 */
export const webhookRejectedRequests = pgTable(
  "webhook_rejected_requests",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id").references(() => tenants.id, { onDelete: "cascade" }),
    configId: uuid("config_id").references(() => providerConfigs.id, { onDelete: "set null" }),
    /** The provider named in the path (any text a client sent, cut short), not only known kinds. */
    provider: text("provider").notNull(),
    /** The config id as the path named it (kept when no config matches). */
    pathConfigId: text("path_config_id").notNull(),
    reason: text("reason", { enum: webhookRefusalReasons }).notNull(),
    /** The refusal message Herald answered with. */
    detail: text("detail").notNull(),
    status: integer("status").notNull(),
    sourceAddress: text("source_address"),
    /** Request headers with secret-bearing values reduced to a prefix and length. */
    headers: jsonb("headers").$type<Record<string, string>>().notNull(),
    /** The URL query with token-like values masked. */
    query: text("query").notNull().default(""),
    payloadExcerpt: text("payload_excerpt").notNull().default(""),
    /** Bytes read of the body (null: not read, e.g. refused by its declared length). */
    payloadBytes: integer("payload_bytes"),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("webhook_rejected_requests_tenant_received_idx").on(t.tenantId, t.receivedAt, t.id)],
);

export type WebhookRejectedRequest = typeof webhookRejectedRequests.$inferSelect;
export type NewWebhookRejectedRequest = typeof webhookRejectedRequests.$inferInsert;
