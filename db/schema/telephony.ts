import { sql } from "drizzle-orm";
import {
  bigserial,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { brokerOutboxColumns, timestamps } from "./_columns";
import { schools } from "./schools";
import { tenants } from "./tenants";
import { users } from "./users";

export const callEventTypes = [
  "call_started",
  "call_ringing",
  "call_answered",
  "call_forwarded",
  "call_ended",
  "call_missed",
  "call_failed",
] as const;
export type CallEventType = (typeof callEventTypes)[number];

export const callEventTypeEnum = pgEnum("call_event_type", callEventTypes);
export const publishStatusEnum = pgEnum("publish_status", ["queued", "published", "dead_lettered"]);
export type PublishStatus = (typeof publishStatusEnum.enumValues)[number];

/** Per-tenant credential of the telephony server (X-API-TOKEN); only its hash is stored. */
export const telephonyTokens = pgTable(
  "telephony_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    prefix: text("prefix").notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  // One live token per tenant: rotating revokes the old one in the same transaction.
  (t) => [uniqueIndex("telephony_tokens_one_active").on(t.tenantId).where(sql`${t.revokedAt} is null`)],
);

/** The tenant's inbound numbers; a number assigned to a school links its calls to that school. */
export const inboundNumbers = pgTable(
  "inbound_numbers",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    number: text("number").notNull(),
    label: text("label"),
    schoolId: uuid("school_id").references(() => schools.id, { onDelete: "set null" }),
    assignedAt: timestamp("assigned_at", { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("inbound_numbers_tenant_number_unique").on(t.tenantId, t.number),
    index("inbound_numbers_school_idx").on(t.schoolId),
  ],
);

/**
 * Every accepted call event, as received, with the state of its publication to RabbitMQ.
 * `seq` is the acceptance order; ingest serializes per call_id so it is also commit order,
 * which is the order the publisher keeps per call.
 */
export const callEventLogs = pgTable(
  "call_event_logs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    seq: bigserial("seq", { mode: "number" }).notNull(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    callId: text("call_id").notNull(),
    eventType: callEventTypeEnum("event_type").notNull(),
    fromNumber: text("from_number").notNull(),
    toNumber: text("to_number").notNull(),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
    durationSeconds: integer("duration_seconds"),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    createdTime: timestamp("created_time", { withTimezone: true }).notNull().defaultNow(),
    publishStatus: publishStatusEnum("publish_status").notNull().default("queued"),
    publishAttempts: integer("publish_attempts").notNull().default(0),
    lastPublishError: text("last_publish_error"),
    lastAttemptAt: timestamp("last_attempt_at", { withTimezone: true }),
    publishedAt: timestamp("published_at", { withTimezone: true }),
    ...brokerOutboxColumns,
  },
  (t) => [
    // The dedupe key: a repeat of the same event is acknowledged without a second row.
    uniqueIndex("call_event_logs_dedupe").on(t.tenantId, t.callId, t.eventType, t.occurredAt),
    index("call_event_logs_call_idx").on(t.tenantId, t.callId, t.seq),
    index("call_event_logs_unpublished_idx")
      .on(t.tenantId, t.publishStatus, t.seq)
      .where(sql`${t.publishStatus} <> 'published'`),
    index("call_event_logs_created_idx").on(t.tenantId, t.createdTime),
    // The broker outbox claims queued rows in acceptance order.
    index("call_event_logs_queued_idx").on(t.seq).where(sql`${t.publishStatus} = 'queued'`),
  ],
);

/** One row per call_id: the call's events folded into its lifecycle. */
export const calls = pgTable(
  "calls",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    callId: text("call_id").notNull(),
    fromNumber: text("from_number").notNull(),
    toNumber: text("to_number").notNull(),
    inboundNumberId: uuid("inbound_number_id").references(() => inboundNumbers.id, { onDelete: "set null" }),
    schoolId: uuid("school_id").references(() => schools.id, { onDelete: "set null" }),
    startedAt: timestamp("started_at", { withTimezone: true }),
    ringingAt: timestamp("ringing_at", { withTimezone: true }),
    answeredAt: timestamp("answered_at", { withTimezone: true }),
    forwardedAt: timestamp("forwarded_at", { withTimezone: true }),
    forwardedTo: text("forwarded_to"),
    endedAt: timestamp("ended_at", { withTimezone: true }),
    missedAt: timestamp("missed_at", { withTimezone: true }),
    failedAt: timestamp("failed_at", { withTimezone: true }),
    durationSeconds: integer("duration_seconds"),
    /** Derived from the lifecycle times so out-of-order events can't leave it stale; null while ringing. */
    outcome: text("outcome", { enum: ["answered", "missed", "failed"] }).generatedAlwaysAs(
      sql`case when failed_at is not null then 'failed' when answered_at is not null then 'answered' when missed_at is not null or ended_at is not null then 'missed' end`,
    ),
    /** Earliest event time seen: the call's position in the log even if call_started is lost. */
    firstEventAt: timestamp("first_event_at", { withTimezone: true }).notNull(),
    lastEventAt: timestamp("last_event_at", { withTimezone: true }).notNull(),
    eventCount: integer("event_count").notNull().default(0),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("calls_tenant_call_id_unique").on(t.tenantId, t.callId),
    index("calls_tenant_first_event_idx").on(t.tenantId, t.firstEventAt),
    index("calls_school_idx").on(t.tenantId, t.schoolId, t.firstEventAt),
  ],
);

export const callCommandTypeEnum = pgEnum("call_command_type", ["forward", "hangup"]);

/** Operator actions on a live call, sent to the telephony server on the `call-commands` queue. */
export const callCommands = pgTable(
  "call_commands",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    callRecordId: uuid("call_record_id")
      .notNull()
      .references(() => calls.id, { onDelete: "cascade" }),
    callId: text("call_id").notNull(),
    command: callCommandTypeEnum("command").notNull(),
    toNumber: text("to_number"),
    requestedByType: text("requested_by_type").notNull(),
    requestedById: text("requested_by_id"),
    requestedByLabel: text("requested_by_label").notNull(),
    requestId: text("request_id"),
    publishStatus: publishStatusEnum("publish_status").notNull().default("queued"),
    publishAttempts: integer("publish_attempts").notNull().default(0),
    lastPublishError: text("last_publish_error"),
    publishedAt: timestamp("published_at", { withTimezone: true }),
    lastAttemptAt: timestamp("last_attempt_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    ...brokerOutboxColumns,
  },
  (t) => [
    index("call_commands_call_idx").on(t.tenantId, t.callId, t.createdAt),
    index("call_commands_queued_idx").on(t.createdAt, t.id).where(sql`${t.publishStatus} = 'queued'`),
  ],
);

export type TelephonyToken = typeof telephonyTokens.$inferSelect;
export type InboundNumber = typeof inboundNumbers.$inferSelect;
export type CallEventLog = typeof callEventLogs.$inferSelect;
export type NewCallEventLog = typeof callEventLogs.$inferInsert;
export type Call = typeof calls.$inferSelect;
export type CallCommand = typeof callCommands.$inferSelect;
