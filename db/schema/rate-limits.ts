// Rate-limit state shared by every process (the Postgres store of lib/rate-limit; with REDIS_URL
// the same limits live in Redis instead). Both tables are UNLOGGED (custom migration): losing
// them in a crash only refills every bucket, and writes skip the WAL flush on the request path.
import { doublePrecision, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** Fixed-window counters (sign-in throttling). */
export const rateLimitBuckets = pgTable("rate_limit_buckets", {
  key: text("key").primaryKey(),
  windowStart: timestamp("window_start", { withTimezone: true }).notNull(),
  count: integer("count").notNull(),
});

/**
 * Token buckets: per API key and anonymous client address, per-tenant send quota, per-config
 * send rate. Taken through `herald_take_tokens()` (custom migration): one round trip per take.
 */
export const sendRateBuckets = pgTable("send_rate_buckets", {
  key: text("key").primaryKey(),
  tokens: doublePrecision("tokens").notNull(),
  refilledAt: timestamp("refilled_at", { withTimezone: true }).notNull(),
});
