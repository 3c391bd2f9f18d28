// Send limits shared by every process: tenant overrides and concurrency slots (token buckets: rate-limits.ts).
import { index, integer, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { tenants } from "./tenants";

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

export type TenantLimits = typeof tenantLimits.$inferSelect;
