import { sql } from "drizzle-orm";
import {
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { contacts } from "./contacts";
import { channels, messageStatuses } from "./enum-values";
import { providerConfigs, providerKindEnum } from "./provider-configs";
import { reminderRuns } from "./reminders";
import { tenants } from "./tenants";

export { channels, messageStatuses, type Channel, type MessageStatus } from "./enum-values";

export const channelEnum = pgEnum("message_channel", channels);
export const directionEnum = pgEnum("message_direction", ["outbound", "inbound"]);

export const messageStatusEnum = pgEnum("message_status", messageStatuses);

/** One hop of a message's failover chain, decided when the message is accepted. */
export interface RouteHop {
  configId: string;
  provider: string;
}

export const messages = pgTable(
  "messages",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    channel: channelEnum("channel").notNull(),
    direction: directionEnum("direction").notNull().default("outbound"),
    status: messageStatusEnum("status").notNull().default("queued"),
    /** The failover chain (config ids in order) chosen at accept time. */
    route: jsonb("route").$type<RouteHop[]>().notNull().default([]),
    /** Provider and config of the latest attempt (the one that sent it, once sent). */
    provider: providerKindEnum("provider"),
    configId: uuid("config_id").references(() => providerConfigs.id, { onDelete: "set null" }),
    /** Email address, E.164 number, device token or topic. */
    recipient: text("recipient").notNull(),
    /** The contact the send named (contact_id / external_id), if any. */
    contactId: uuid("contact_id").references(() => contacts.id, { onDelete: "set null" }),
    /** The channel payload as accepted (validated, no secrets). */
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    /** A provider-side template (SendGrid d-…, WhatsApp name), or the key of the Herald template rendered. */
    templateId: text("template_id"),
    /** The published Herald template version this message was rendered from (null: literal content). */
    templateVersion: integer("template_version"),
    idempotencyKey: text("idempotency_key"),
    /** SHA-256 of the canonical request, to tell a replay from a reused key. */
    requestHash: text("request_hash"),
    actionId: text("action_id"),
    /** A scheduled send: not delivered before this (status `scheduled` until then). */
    sendAt: timestamp("send_at", { withTimezone: true }),
    /** The reminder run that sent it (filter Messages by run; the run's counts are read from here). */
    reminderRunId: uuid("reminder_run_id").references(() => reminderRuns.id, { onDelete: "set null" }),
    /** Passed through untouched to the communication.* events. */
    context: jsonb("context").$type<Record<string, unknown>>(),
    traceId: text("trace_id").notNull(),
    /** Stable reference sent to providers that accept one, so a retried attempt can't send twice. */
    providerReference: text("provider_reference").notNull(),
    providerMessageId: text("provider_message_id"),
    attemptCount: integer("attempt_count").notNull().default(0),
    /** Dead-letter replays so far: each replay is a new delivery round with its own terminal event. */
    replayCount: integer("replay_count").notNull().default(0),
    segments: integer("segments"),
    costAmount: numeric("cost_amount", { precision: 12, scale: 4 }),
    costCurrency: text("cost_currency"),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    retryable: boolean("retryable"),
    // Engagement (provider webhooks).
    opens: integer("opens").notNull().default(0),
    uniqueOpens: integer("unique_opens").notNull().default(0),
    clicks: integer("clicks").notNull().default(0),
    uniqueClicks: integer("unique_clicks").notNull().default(0),
    bounceType: text("bounce_type"),
    readAt: timestamp("read_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true })
      .notNull()
      .defaultNow()
      .$onUpdate(() => new Date()),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
    failedAt: timestamp("failed_at", { withTimezone: true }),
    /**
     * For providers whose delivery status is polled (they post no reports): not claimed by a poll
     * before this time. Null = never polled. A claim moves it one lease ahead, so concurrent pollers
     * never query the same message and a still-pending one goes to the back of the line.
     */
    reportPollAt: timestamp("report_poll_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("messages_tenant_idempotency_unique")
      .on(t.tenantId, t.idempotencyKey)
      .where(sql`${t.idempotencyKey} is not null`),
    index("messages_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
    index("messages_tenant_status_idx").on(t.tenantId, t.status, t.createdAt),
    index("messages_provider_message_idx").on(t.provider, t.providerMessageId),
    index("messages_config_created_idx").on(t.configId, t.createdAt),
    index("messages_contact_created_idx").on(t.contactId, t.createdAt).where(sql`${t.contactId} is not null`),
    index("messages_reminder_run_idx").on(t.reminderRunId, t.status).where(sql`${t.reminderRunId} is not null`),
    // Due scheduled sends whose delivery job went missing are found here (the reminder tick releases them).
    // (Not a partial index on status: the migration that adds the `scheduled` value cannot use it.)
    index("messages_send_at_idx").on(t.sendAt).where(sql`${t.sendAt} is not null`),
    // Sent messages a report poll may claim, per config, least recently polled first.
    index("messages_report_poll_idx").on(t.configId, t.reportPollAt).where(sql`${t.status} = 'sent' and ${t.providerMessageId} is not null`),
  ],
);

/** Every provider call, with what was asked (no secrets) and what came back. */
export const messageAttempts = pgTable(
  "message_attempts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    messageId: uuid("message_id")
      .notNull()
      .references(() => messages.id, { onDelete: "cascade" }),
    tenantId: uuid("tenant_id").notNull(),
    attemptNo: integer("attempt_no").notNull(),
    provider: providerKindEnum("provider").notNull(),
    configId: uuid("config_id").references(() => providerConfigs.id, { onDelete: "set null" }),
    outcome: text("outcome", { enum: ["sent", "retry", "fallback", "failed", "skipped"] }).notNull(),
    requestSummary: jsonb("request_summary").$type<Record<string, unknown>>().notNull().default({}),
    responseCode: integer("response_code"),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    retryable: boolean("retryable"),
    providerReference: text("provider_reference"),
    latencyMs: integer("latency_ms"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("message_attempts_message_no_unique").on(t.messageId, t.attemptNo),
    index("message_attempts_config_idx").on(t.configId, t.startedAt),
    index("message_attempts_started_brin").using("brin", t.startedAt),
  ],
);

export const messageStatusHistory = pgTable(
  "message_status_history",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    messageId: uuid("message_id")
      .notNull()
      .references(() => messages.id, { onDelete: "cascade" }),
    tenantId: uuid("tenant_id").notNull(),
    fromStatus: messageStatusEnum("from_status"),
    toStatus: messageStatusEnum("to_status").notNull(),
    reason: text("reason"),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("message_status_history_message_idx").on(t.messageId, t.at), index("message_status_history_at_brin").using("brin", t.at)],
);

export type Message = typeof messages.$inferSelect;
export type NewMessage = typeof messages.$inferInsert;
export type MessageAttempt = typeof messageAttempts.$inferSelect;
