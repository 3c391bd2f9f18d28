import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";

/**
 * Transactional outbox: rows written in the same transaction as the change that caused them,
 * then relayed to the job engine (pg-boss or Inngest). A crash between commit and relay
 * loses nothing; the relay dedupes by row id on both engines.
 */
export const outboxEvents = pgTable(
  "outbox_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id"),
    name: text("name").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    /** Run the workflow no earlier than this (pg-boss `startAfter`, Inngest `ts`); relayed at once. */
    startAfter: timestamp("start_after", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    dispatchedAt: timestamp("dispatched_at", { withTimezone: true }),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
  },
  (t) => [
    index("outbox_pending_idx").on(t.createdAt).where(sql`${t.dispatchedAt} is null`),
    // Retention finds old rows by time: BRIN is tiny and nearly free to keep on append-only tables.
    index("outbox_events_created_brin").using("brin", t.createdAt),
  ],
);

/** Memoized step results for the pg-boss engine, so a re-run job skips finished steps. */
export const jobSteps = pgTable(
  "job_steps",
  {
    runId: text("run_id").notNull(),
    stepId: text("step_id").notNull(),
    output: jsonb("output"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.stepId] }), index("job_steps_created_brin").using("brin", t.createdAt)],
);

/** A workflow run that failed for good, on either engine. */
export const jobDeadLetters = pgTable(
  "job_dead_letters",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    engine: text("engine", { enum: ["pg-boss", "inngest"] }).notNull(),
    functionId: text("function_id").notNull(),
    runId: text("run_id").notNull().unique(),
    eventName: text("event_name").notNull(),
    eventId: text("event_id"),
    tenantId: uuid("tenant_id"),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    error: text("error").notNull(),
    attempts: integer("attempts").notNull(),
    failedAt: timestamp("failed_at", { withTimezone: true }).notNull().defaultNow(),
    replayedAt: timestamp("replayed_at", { withTimezone: true }),
  },
  (t) => [index("job_dead_letters_tenant_idx").on(t.tenantId, t.failedAt)],
);

export type OutboxEvent = typeof outboxEvents.$inferSelect;
export type JobDeadLetter = typeof jobDeadLetters.$inferSelect;
