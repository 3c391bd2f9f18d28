// Who Herald talks to: contacts, their subscription state per channel/topic, their ties to schools,
// and the tenant's static lists and saved segments.
import { sql, type SQL } from "drizzle-orm";
import { index, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { timestamps } from "./_columns";
import { schools } from "./schools";
import { tenants } from "./tenants";

export const contactKinds = ["person"] as const;
export type ContactKind = (typeof contactKinds)[number];

export const contacts = pgTable(
  "contacts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    /** The tenant's own id for this person: the upsert key of PUT …/by-external-id and imports. */
    externalId: text("external_id"),
    kind: text("kind", { enum: contactKinds }).notNull().default("person"),
    name: text("name"),
    /** Lower-cased. */
    email: text("email"),
    /** E.164, normalised with the tenant's default country for national numbers. */
    phone: text("phone"),
    /** The number as it was given, before normalisation. */
    phoneRaw: text("phone_raw"),
    /** E.164; null means "the phone number". */
    whatsapp: text("whatsapp"),
    /** BCP 47, canonical case (sv-SE). */
    locale: text("locale"),
    /** IANA zone name. */
    timezone: text("timezone"),
    attributes: jsonb("attributes").$type<Record<string, unknown>>().notNull().default({}),
    /** What contact search matches by substring (trigram-indexed). */
    searchText: text("search_text").generatedAlwaysAs(
      (): SQL =>
        sql`lower(coalesce(${contacts.name}, '') || ' ' || coalesce(${contacts.email}, '') || ' ' || coalesce(${contacts.phone}, '') || ' ' || coalesce(${contacts.externalId}, ''))`,
    ),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("contacts_tenant_external_id_unique").on(t.tenantId, t.externalId).where(sql`${t.externalId} is not null`),
    index("contacts_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
    index("contacts_tenant_email_idx").on(t.tenantId, t.email),
    index("contacts_tenant_phone_idx").on(t.tenantId, t.phone),
    index("contacts_tenant_whatsapp_idx").on(t.tenantId, t.whatsapp),
    index("contacts_search_text_trgm_idx").using("gin", sql`${t.searchText} gin_trgm_ops`),
    index("contacts_attributes_idx").using("gin", sql`${t.attributes} jsonb_path_ops`),
  ],
);

export type Contact = typeof contacts.$inferSelect;
export type NewContact = typeof contacts.$inferInsert;

/** The channels a subscription is kept for (the message channels; text here to keep schema imports acyclic). */
export const subscriptionChannels = ["email", "sms", "push", "whatsapp"] as const;
export type SubscriptionChannel = (typeof subscriptionChannels)[number];
export const subscriptionStatuses = ["subscribed", "unsubscribed"] as const;
export type SubscriptionStatus = (typeof subscriptionStatuses)[number];

/**
 * Explicit subscription state. No row means subscribed. `topic` '' is the whole channel; a
 * channel-wide unsubscribe overrides every topic of the channel.
 */
export const contactSubscriptions = pgTable(
  "contact_subscriptions",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    contactId: uuid("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    channel: text("channel", { enum: subscriptionChannels }).notNull(),
    topic: text("topic").notNull().default(""),
    status: text("status", { enum: subscriptionStatuses }).notNull(),
    /** What set it: api, import, one_click, hard_bounce, spam_report, unsubscribe (provider or STOP reply), admin. */
    source: text("source").notNull(),
    changedAt: timestamp("changed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.contactId, t.channel, t.topic] }), index("contact_subscriptions_tenant_idx").on(t.tenantId, t.channel, t.status)],
);

export type ContactSubscription = typeof contactSubscriptions.$inferSelect;

export const contactSchoolRoles = ["parent", "owner", "staff", "player"] as const;
export type ContactSchoolRole = (typeof contactSchoolRoles)[number];

export const contactSchools = pgTable(
  "contact_schools",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    contactId: uuid("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    schoolId: uuid("school_id")
      .notNull()
      .references(() => schools.id, { onDelete: "cascade" }),
    role: text("role", { enum: contactSchoolRoles }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.contactId, t.schoolId, t.role] }), index("contact_schools_school_idx").on(t.schoolId, t.role)],
);

export type ContactSchool = typeof contactSchools.$inferSelect;

export const listKinds = ["static", "segment"] as const;
export type ListKind = (typeof listKinds)[number];

/** A static list (explicit members) or a saved segment (a filter evaluated when read). */
export const contactLists = pgTable(
  "contact_lists",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description"),
    kind: text("kind", { enum: listKinds }).notNull(),
    /** The segment's filter AST (lib/validations/segments.ts); null for static lists. */
    segment: jsonb("segment").$type<Record<string, unknown>>(),
    ...timestamps,
  },
  (t) => [uniqueIndex("contact_lists_tenant_name_unique").on(t.tenantId, t.name), index("contact_lists_tenant_created_idx").on(t.tenantId, t.createdAt)],
);

export type ContactList = typeof contactLists.$inferSelect;

export const contactListMembers = pgTable(
  "contact_list_members",
  {
    listId: uuid("list_id")
      .notNull()
      .references(() => contactLists.id, { onDelete: "cascade" }),
    contactId: uuid("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    tenantId: uuid("tenant_id").notNull(),
    addedAt: timestamp("added_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.listId, t.contactId] }), index("contact_list_members_contact_idx").on(t.contactId)],
);
