// Message templates: one row per tenant and key holding the editable draft, and the immutable published versions.
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { timestamps } from "./_columns";
import { tenants } from "./tenants";
import { users } from "./users";

/**
 * What a template is for. Marketing and reminder emails carry RFC 8058 one-click unsubscribe
 * headers and honour the contact's subscription to that topic; transactional ones do not.
 */
export const templateCategories = ["transactional", "marketing", "reminders"] as const;
export type TemplateCategory = (typeof templateCategories)[number];

/** One locale's channel variants; every field is Liquid source. */
export interface TemplateLocaleContent {
  email?: { subject: string; html?: string; text?: string };
  sms?: { body: string };
  push?: { title?: string; body?: string; image_url?: string; data?: Record<string, string>; click_action?: string; collapse_key?: string };
  /** Either a Cloud API template (name, language, parameters as Liquid) or free text for the 24 h window. */
  whatsapp?: { template_name?: string; template_language?: string; parameters?: string[]; body_text?: string };
}

/** The renderable content: what a draft holds and what a version freezes. */
export interface TemplateContent {
  default_locale: string;
  locales: Record<string, TemplateLocaleContent>;
}

export const templates = pgTable(
  "templates",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    /** Stable, used in APIs and sends (`{"template": "<key>"}`). */
    key: text("key").notNull(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    category: text("category", { enum: templateCategories }).notNull().default("transactional"),
    draft: jsonb("draft").$type<TemplateContent>().notNull(),
    /** The version sends render; null until the first publish. Rollback moves it back. */
    publishedVersion: integer("published_version"),
    latestVersion: integer("latest_version").notNull().default(0),
    draftUpdatedAt: timestamp("draft_updated_at", { withTimezone: true }).notNull().defaultNow(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    ...timestamps,
  },
  (t) => [uniqueIndex("templates_tenant_key_unique").on(t.tenantId, t.key), index("templates_tenant_updated_idx").on(t.tenantId, t.updatedAt)],
);

export const templateVersions = pgTable(
  "template_versions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id").notNull(),
    templateId: uuid("template_id")
      .notNull()
      .references(() => templates.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    /** Frozen at publish: never updated. */
    content: jsonb("content").$type<TemplateContent>().notNull(),
    note: text("note").notNull().default(""),
    publishedBy: text("published_by").notNull(),
    publishedAt: timestamp("published_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("template_versions_template_version_unique").on(t.templateId, t.version)],
);

export type Template = typeof templates.$inferSelect;
export type NewTemplate = typeof templates.$inferInsert;
export type TemplateVersion = typeof templateVersions.$inferSelect;
