// Event-bus ingress: each tenant's bindings (which queue and routing key act for it) and the
// actions refused as poison (also copied to the dead-letter queue with their reason).
import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid, boolean } from "drizzle-orm/pg-core";
import { timestamps } from "./_columns";
import { tenants } from "./tenants";

/**
 * A binding gives a tenant its own queue on the bus: `<HERALD_ACTIONS_QUEUE>.<key>`, bound to
 * `HERALD_ACTIONS_EXCHANGE` with routing key `<HERALD_ACTIONS_ROUTING_KEY>.<key>`. Whatever
 * arrives on that queue acts for this tenant and no other; the message's content never chooses
 * the tenant. Keys are unique across the deployment, so no two tenants share a queue.
 */
export const busBindings = pgTable(
  "bus_bindings",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    description: text("description").notNull().default(""),
    enabled: boolean("enabled").notNull().default(true),
    ...timestamps,
  },
  (t) => [uniqueIndex("bus_bindings_key_unique").on(t.key), index("bus_bindings_tenant_idx").on(t.tenantId, t.createdAt)],
);

export type BusBinding = typeof busBindings.$inferSelect;

/**
 * A bus message Herald refused for good (invalid JSON, unknown event, failed validation, unknown
 * template, a reused action id): one row per distinct message, however often it is redelivered.
 */
export const busDeadLetters = pgTable(
  "bus_dead_letters",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    bindingId: uuid("binding_id").references(() => busBindings.id, { onDelete: "set null" }),
    /** The AMQP message id when the producer set one, else a hash of the body. */
    dedupeKey: text("dedupe_key").notNull(),
    /** invalid_json, unknown_event, validation_failed, TEMPLATE_NOT_FOUND, idempotency_key_reused … */
    reasonCode: text("reason_code").notNull(),
    reason: text("reason").notNull(),
    eventName: text("event_name"),
    actionId: text("action_id"),
    amqpMessageId: text("amqp_message_id"),
    queue: text("queue").notNull(),
    routingKey: text("routing_key").notNull(),
    /** The raw body as received (at most 64 KiB; `body_truncated` says when more was cut). */
    body: text("body").notNull(),
    bodyTruncated: boolean("body_truncated").notNull().default(false),
    /** Deliveries of this same message that were refused (redeliveries, duplicates). */
    occurrences: integer("occurrences").notNull().default(1),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("bus_dead_letters_dedupe_unique").on(t.tenantId, t.dedupeKey),
    index("bus_dead_letters_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
    index("bus_dead_letters_created_brin").using("brin", t.createdAt),
  ],
);

export type BusDeadLetter = typeof busDeadLetters.$inferSelect;
