// The communication.sent.v1 / communication.failed.v1 outbox: one row per terminal message.
import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { brokerOutboxColumns } from "./_columns";
import { messages } from "./messages";
import { tenants } from "./tenants";

export const communicationEventNames = ["communication.sent.v1", "communication.failed.v1", "communication.cancelled.v1"] as const;
export type CommunicationEventName = (typeof communicationEventNames)[number];

/**
 * pending: committed, not yet confirmed by the broker (or no broker is configured: kept here).
 * published: the broker confirmed it on the exchange. dead_lettered: the broker nacked it or it
 * ran out of retries; it went to the dead-letter queue when the broker could take it.
 */
export const communicationEventStatuses = ["pending", "published", "dead_lettered"] as const;
export type CommunicationEventStatus = (typeof communicationEventStatuses)[number];

/**
 * Written in the same transaction as the message's terminal status; unique per message and
 * delivery round, so a message has exactly one event per round whatever re-runs. Publishing to RabbitMQ reads from here.
 */
export const communicationEvents = pgTable(
  "communication_events",
  {
    /** Also the AMQP message id, so consumers can dedupe an at-least-once redelivery. */
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    messageId: uuid("message_id")
      .notNull()
      .references(() => messages.id, { onDelete: "cascade" }),
    /** The message's delivery round (its replay count when it ended): one event per round. */
    deliveryRound: integer("delivery_round").notNull().default(0),
    name: text("name", { enum: communicationEventNames }).notNull(),
    /** The envelope exactly as published. */
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    status: text("status", { enum: communicationEventStatuses }).notNull().default("pending"),
    exchange: text("exchange"),
    routingKey: text("routing_key").notNull(),
    publishAttempts: integer("publish_attempts").notNull().default(0),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastAttemptAt: timestamp("last_attempt_at", { withTimezone: true }),
    publishedAt: timestamp("published_at", { withTimezone: true }),
    deadLetteredAt: timestamp("dead_lettered_at", { withTimezone: true }),
    ...brokerOutboxColumns,
  },
  (t) => [
    uniqueIndex("communication_events_message_round_unique").on(t.messageId, t.deliveryRound),
    index("communication_events_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
    index("communication_events_unpublished_idx").on(t.tenantId, t.createdAt).where(sql`${t.status} <> 'published'`),
    index("communication_events_created_brin").using("brin", t.createdAt),
    index("communication_events_pending_idx").on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
  ],
);

export type CommunicationEvent = typeof communicationEvents.$inferSelect;
