// The record of dead-letter replays (who replayed what, when).
import { index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { deadLetterKinds } from "./enum-values";
import { tenants } from "./tenants";

export { deadLetterKinds, type DeadLetterKind } from "./enum-values";

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

export type DeadLetterReplay = typeof deadLetterReplays.$inferSelect;
