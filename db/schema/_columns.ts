import { timestamp } from "drizzle-orm/pg-core";

/** created_at / updated_at pair used by most tables. */
export const timestamps = {
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date()),
};

/**
 * The broker outbox's bookkeeping on a row bound for RabbitMQ (lib/broker/outbox-publisher.ts):
 * when it may be tried next (backoff), who holds it (a lease, so a dead publisher's rows come
 * back), and since when it has been failing (the retry budget is a duration from then).
 */
export const brokerOutboxColumns = {
  nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
  claimedUntil: timestamp("claimed_until", { withTimezone: true }),
  failingSince: timestamp("failing_since", { withTimezone: true }),
};
