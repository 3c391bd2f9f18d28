import { pgTable, text, uuid } from "drizzle-orm/pg-core";
import { timestamps } from "./_columns";

export const tenants = pgTable("tenants", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull(),
  slug: text("slug").notNull().unique(),
  /** ISO 3166-1 alpha-2 region for national phone numbers in contacts (e.g. SE); null: numbers need a country code. */
  defaultCountry: text("default_country"),
  /** IANA zone whose midnight starts the tenant's "today" and "this month" (usage, call counters). */
  timezone: text("timezone").notNull().default("UTC"),
  ...timestamps,
});

export type Tenant = typeof tenants.$inferSelect;
export type NewTenant = typeof tenants.$inferInsert;
