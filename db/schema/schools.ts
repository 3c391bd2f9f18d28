import { sql } from "drizzle-orm";
import { boolean, doublePrecision, index, pgEnum, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { timestamps } from "./_columns";
import { schoolTypes } from "./enum-values";
import { tenants } from "./tenants";

export const schoolTypeEnum = pgEnum("school_type", schoolTypes);

/** The school directory. Search columns/indexes are added by the search feature's migration. */
export const schools = pgTable(
  "schools",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    slug: text("slug").notNull(),
    type: schoolTypeEnum("type").notNull(),
    city: text("city").notNull(),
    district: text("district"),
    address: text("address"),
    latitude: doublePrecision("latitude"),
    longitude: doublePrecision("longitude"),
    phone: text("phone"),
    email: text("email"),
    website: text("website"),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    isPublic: boolean("is_public").notNull().default(true),
    ...timestamps,
  },
  (t) => [uniqueIndex("schools_tenant_slug_unique").on(t.tenantId, t.slug), index("schools_tenant_city_idx").on(t.tenantId, t.city)],
);

export type School = typeof schools.$inferSelect;
export type NewSchool = typeof schools.$inferInsert;
