// Per-tenant routing rules for outbound messages, and the push device tokens Herald refuses to target.
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { timestamps } from "./_columns";
import { contacts } from "./contacts";
import { channelEnum } from "./messages";
import { providerKindEnum } from "./provider-configs";
import { tenants } from "./tenants";
import { users } from "./users";

/**
 * What a rule matches on. Every kind that is present must match (AND); within a kind any value
 * may match (OR). An empty object matches every recipient (a catch-all).
 */
export interface RoutingMatch {
  /** ISO 3166-1 alpha-2 region of an SMS/WhatsApp number (e.g. SE). */
  country_codes?: string[];
  /** E.164 prefixes (e.g. +46, +4670). */
  number_prefixes?: string[];
  /** Email domains; `*.example.com` also matches its subdomains. */
  email_domains?: string[];
  /** Push target platform. */
  platforms?: string[];
}

export const routingRules = pgTable(
  "routing_rules",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    channel: channelEnum("channel").notNull(),
    /** Evaluation order within the channel, lowest first. */
    position: integer("position").notNull(),
    name: text("name").notNull(),
    match: jsonb("match").$type<RoutingMatch>().notNull().default({}),
    /** Failover chain: provider config ids, in order. Non-active configs are skipped at send time. */
    chain: jsonb("chain").$type<string[]>().notNull(),
    enabled: boolean("enabled").notNull().default(true),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    updatedBy: uuid("updated_by").references(() => users.id, { onDelete: "set null" }),
    ...timestamps,
  },
  (t) => [index("routing_rules_tenant_channel_idx").on(t.tenantId, t.channel, t.position)],
);

export type RoutingRule = typeof routingRules.$inferSelect;
export type NewRoutingRule = typeof routingRules.$inferInsert;

/**
 * Push tokens a provider reported as unregistered/invalid (FCM UNREGISTERED, OneSignal invalid
 * player). The delivery workflow deactivates; the send API refuses inactive tokens.
 */
export const deviceTokens = pgTable(
  "device_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    /** The FCM registration token or OneSignal subscription (player) id. */
    token: text("token").notNull(),
    platform: text("platform"),
    provider: providerKindEnum("provider"),
    active: boolean("active").notNull().default(true),
    /** Why it was deactivated, e.g. `UNREGISTERED` or `invalid_player_ids`. */
    reason: text("reason"),
    deactivatedAt: timestamp("deactivated_at", { withTimezone: true }),
    lastMessageId: uuid("last_message_id"),
    /** The contact this push target belongs to (contacts' push_targets), if any. */
    contactId: uuid("contact_id").references(() => contacts.id, { onDelete: "set null" }),
    ...timestamps,
  },
  (t) => [uniqueIndex("device_tokens_tenant_token_unique").on(t.tenantId, t.token), index("device_tokens_contact_idx").on(t.contactId)],
);

export type DeviceToken = typeof deviceTokens.$inferSelect;
