// The suppression list: addresses a tenant must not send to again, mostly fed by webhook events.
import { pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { channelEnum, messages } from "./messages";
import { providerKindEnum } from "./provider-configs";
import { tenants } from "./tenants";
import { webhookEvents } from "./webhooks";

export const suppressionReasons = ["unsubscribe", "hard_bounce", "spam_report", "manual"] as const;
export type SuppressionReason = (typeof suppressionReasons)[number];

/** Addresses a tenant must not send to again on a channel (email address or E.164 number, lower-cased). */
export const suppressions = pgTable(
  "suppressions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    channel: channelEnum("channel").notNull(),
    address: text("address").notNull(),
    reason: text("reason", { enum: suppressionReasons }).notNull(),
    provider: providerKindEnum("provider"),
    sourceEventId: uuid("source_event_id").references(() => webhookEvents.id, { onDelete: "set null" }),
    messageId: uuid("message_id").references(() => messages.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("suppressions_tenant_channel_address_unique").on(t.tenantId, t.channel, t.address)],
);

export type Suppression = typeof suppressions.$inferSelect;
