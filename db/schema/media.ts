// Media: files a tenant stored in Herald (uploads and inbound attachments), and the copies
// providers keep of them (WhatsApp media ids), remembered per config.
import { sql } from "drizzle-orm";
import { bigint, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { messages } from "./messages";
import { providerConfigs } from "./provider-configs";
import { tenants } from "./tenants";

import { mediaBackends, mediaSources, mediaStatuses } from "./enum-values";

export { mediaBackends, mediaSources, mediaStatuses, type MediaBackend, type MediaSource, type MediaStatus } from "./enum-values";

export const media = pgTable(
  "media",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    status: text("status", { enum: mediaStatuses }).notNull(),
    source: text("source", { enum: mediaSources }).notNull(),
    /** The backend holding the bytes and the object key there (always under the tenant's prefix). */
    backend: text("backend", { enum: mediaBackends }).notNull(),
    storageKey: text("storage_key").notNull(),
    /** The name the uploader gave, or the provider's filename; never used as a path. */
    filename: text("filename"),
    /** Sniffed from the bytes once stored (the declared type only for plain text, which has no signature). */
    contentType: text("content_type"),
    /** What the client said it would upload (presigned flow); checked against the bytes on completion. */
    declaredType: text("declared_type"),
    sizeBytes: bigint("size_bytes", { mode: "number" }),
    sha256: text("sha256"),
    /** The use the upload was checked against (e.g. whatsapp_image), if it named one. */
    use: text("use"),
    createdByType: text("created_by_type", { enum: ["user", "api_key", "system"] }).notNull(),
    createdById: text("created_by_id"),
    createdByLabel: text("created_by_label").notNull(),
    /** Days kept after creation; null = the deployment default (HERALD_RETENTION_MEDIA_DAYS). */
    retentionDays: integer("retention_days"),
    /** Inbound media: the message it came with, and the provider's id of it (7 days valid at the provider). */
    messageId: uuid("message_id").references(() => messages.id, { onDelete: "set null" }),
    configId: uuid("config_id").references(() => providerConfigs.id, { onDelete: "set null" }),
    providerMediaId: text("provider_media_id"),
    /** Why an inbound download or an upload did not complete. */
    error: text("error"),
    /** A presigned upload's URL stops working at this time. */
    uploadExpiresAt: timestamp("upload_expires_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    /** Set when deletion began: the row is invisible from then on, and the purge retries the object. */
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
  },
  (t) => [
    index("media_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
    index("media_message_idx").on(t.messageId).where(sql`${t.messageId} is not null`),
    // One inbound file per provider media id of a message: a re-run of the download finds its row.
    uniqueIndex("media_inbound_unique").on(t.tenantId, t.messageId, t.providerMediaId).where(sql`${t.source} = 'inbound'`),
    index("media_created_brin").using("brin", t.createdAt),
    index("media_deleted_idx").on(t.deletedAt).where(sql`${t.deletedAt} is not null`),
  ],
);

/**
 * A provider's copy of a media object, per config (WhatsApp's `/{phone-number-id}/media` id,
 * valid 30 days): reused by later sends until the provider's lifetime is over.
 */
export const mediaProviderUploads = pgTable(
  "media_provider_uploads",
  {
    mediaId: uuid("media_id")
      .notNull()
      .references(() => media.id, { onDelete: "cascade" }),
    configId: uuid("config_id")
      .notNull()
      .references(() => providerConfigs.id, { onDelete: "cascade" }),
    tenantId: uuid("tenant_id").notNull(),
    providerMediaId: text("provider_media_id").notNull(),
    uploadedAt: timestamp("uploaded_at", { withTimezone: true }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.mediaId, t.configId] })],
);

export type Media = typeof media.$inferSelect;
export type NewMedia = typeof media.$inferInsert;
export type MediaProviderUpload = typeof mediaProviderUploads.$inferSelect;
