// Outbound webhooks (Standard Webhooks): tenants' endpoints, one delivery per event and endpoint, the attempt log.
import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { timestamps } from "./_columns";
import { webhookDeliveryStatuses } from "./enum-values";
import { tenants } from "./tenants";
import { users } from "./users";

export const webhookEndpointStatuses = ["enabled", "disabled"] as const;
export type WebhookEndpointStatus = (typeof webhookEndpointStatuses)[number];

export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    description: text("description").notNull().default(""),
    /** Subscribed event types (see lib/validations/outbound-webhooks.ts). */
    eventTypes: text("event_types").array().notNull(),
    status: text("status", { enum: webhookEndpointStatuses }).notNull().default("enabled"),
    /** Why it was disabled: by a user, by a 410 Gone, or after failing for days. */
    disabledReason: text("disabled_reason"),
    disabledAt: timestamp("disabled_at", { withTimezone: true }),
    /** `secret:<id>` in the secret store: the `whsec_…` signing secret, encrypted. */
    secretRef: text("secret_ref").notNull(),
    /** The secret replaced by the last rotation; it keeps signing until `previous_secret_expires_at`. */
    previousSecretRef: text("previous_secret_ref"),
    previousSecretExpiresAt: timestamp("previous_secret_expires_at", { withTimezone: true }),
    secretRotatedAt: timestamp("secret_rotated_at", { withTimezone: true }),
    /** Start of the current run of failed attempts (null after any success): the auto-disable clock. */
    failingSince: timestamp("failing_since", { withTimezone: true }),
    lastSuccessAt: timestamp("last_success_at", { withTimezone: true }),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    ...timestamps,
  },
  (t) => [index("webhook_endpoints_tenant_idx").on(t.tenantId, t.createdAt)],
);

export type WebhookEndpoint = typeof webhookEndpoints.$inferSelect;
export type NewWebhookEndpoint = typeof webhookEndpoints.$inferInsert;

/**
 * pending: waiting for its first attempt. delivering: an attempt is in flight. failed: the last
 * attempt failed and the next one is due at `next_attempt_at`. succeeded: a 2xx. exhausted: no
 * further attempts (schedule ran out, 410 Gone, or the endpoint is disabled) — resend restarts it.
 */
export { webhookDeliveryStatuses, type WebhookDeliveryStatus } from "./enum-values";

export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    /** The `webhook-id` header: the same on every attempt and resend, the receiver's idempotency key. */
    eventId: text("event_id").notNull(),
    eventType: text("event_type").notNull(),
    /** The body exactly as signed and sent. */
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    status: text("status", { enum: webhookDeliveryStatuses }).notNull().default("pending"),
    /** Attempts ever made (resends included); numbers the attempt log. */
    attemptCount: integer("attempt_count").notNull().default(0),
    /** Attempts in the current round of the retry schedule (a resend starts a new round). */
    roundAttempts: integer("round_attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }),
    lastAttemptAt: timestamp("last_attempt_at", { withTimezone: true }),
    lastResponseCode: integer("last_response_code"),
    lastResponseBody: text("last_response_body"),
    lastLatencyMs: integer("last_latency_ms"),
    lastError: text("last_error"),
    succeededAt: timestamp("succeeded_at", { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("webhook_deliveries_endpoint_event_unique").on(t.endpointId, t.eventId),
    index("webhook_deliveries_endpoint_created_idx").on(t.endpointId, t.createdAt, t.id),
    index("webhook_deliveries_due_idx").on(t.nextAttemptAt).where(sql`${t.status} in ('pending', 'failed', 'delivering')`),
    index("webhook_deliveries_created_brin").using("brin", t.createdAt),
  ],
);

export type WebhookDelivery = typeof webhookDeliveries.$inferSelect;

export const webhookDeliveryAttempts = pgTable(
  "webhook_delivery_attempts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    deliveryId: uuid("delivery_id")
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: "cascade" }),
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    attemptNumber: integer("attempt_number").notNull(),
    url: text("url").notNull(),
    /** HTTP status, or null when no response came (timeout, refused, blocked address). */
    responseCode: integer("response_code"),
    responseBody: text("response_body"),
    latencyMs: integer("latency_ms"),
    error: text("error"),
    outcome: text("outcome", { enum: ["succeeded", "failed"] }).notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    finishedAt: timestamp("finished_at", { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex("webhook_delivery_attempts_unique").on(t.deliveryId, t.attemptNumber)],
);

export type WebhookDeliveryAttempt = typeof webhookDeliveryAttempts.$inferSelect;
