// Customer.io sync (lib/integrations/customerio): one integration per tenant and the sync log of
// every entity it mirrors. Entity changes mark their row here in the transaction of the change
// (triggers in the customerio migration), so nothing committed is ever missed.
import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { timestamps } from "./_columns";
import { providerConfigStatuses } from "./enum-values";
import { tenants } from "./tenants";
import { users } from "./users";

export const customerioRegions = ["us", "eu"] as const;
export type CustomerioRegion = (typeof customerioRegions)[number];

export const customerioIntegrations = pgTable(
  "customerio_integrations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .unique()
      .references(() => tenants.id, { onDelete: "cascade" }),
    /** The provider-config lifecycle: `active` marks and sends changes; `error` (a refused key) keeps marking them. */
    status: text("status", { enum: providerConfigStatuses }).notNull().default("draft"),
    region: text("region", { enum: customerioRegions }).notNull().default("us"),
    /** `secret:<id>` or `env:<VAR>` refs, never values. */
    siteIdRef: text("site_id_ref").notNull(),
    apiKeyRef: text("api_key_ref").notNull(),
    /** Overrides the Track host (the simulator); the region's host is then sent as the first path segment. */
    apiBaseUrl: text("api_base_url"),
    b2cEnabled: boolean("b2c_enabled").notNull().default(false),
    b2bEnabled: boolean("b2b_enabled").notNull().default(false),
    objectTypeId: text("object_type_id").notNull().default("1"),
    /** Attribute mapping (lib/validations/customerio.ts `mappingSchema`). */
    mapping: jsonb("mapping").$type<Record<string, unknown>>().notNull().default({}),
    /** A sync run is queued and has not started yet: further changes need not queue another. */
    kickPending: boolean("kick_pending").notNull().default(false),
    lastError: text("last_error"),
    lastTestedAt: timestamp("last_tested_at", { withTimezone: true }),
    lastSyncedAt: timestamp("last_synced_at", { withTimezone: true }),
    statusChangedAt: timestamp("status_changed_at", { withTimezone: true }).notNull().defaultNow(),
    resyncStartedAt: timestamp("resync_started_at", { withTimezone: true }),
    resyncTotal: integer("resync_total"),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    updatedBy: uuid("updated_by").references(() => users.id, { onDelete: "set null" }),
    ...timestamps,
  },
);

export const customerioEntityKinds = ["person", "object"] as const;
export type CustomerioEntityKind = (typeof customerioEntityKinds)[number];
export const customerioSyncStatuses = ["pending", "synced", "skipped", "failed"] as const;
export type CustomerioSyncStatus = (typeof customerioSyncStatuses)[number];

/**
 * One row per mirrored entity (a contact as a person, a school as an object). `version` is bumped
 * by every change; a run sends the entity's state as it reads it and records the version it
 * claimed, so a change made during the send leaves the row pending. `failed` is the dead letter.
 */
export const customerioSyncState = pgTable(
  "customerio_sync_state",
  {
    integrationId: uuid("integration_id")
      .notNull()
      .references(() => customerioIntegrations.id, { onDelete: "cascade" }),
    tenantId: uuid("tenant_id").notNull(),
    entity: text("entity", { enum: customerioEntityKinds }).notNull(),
    /** The contact or school id (no foreign key: the row outlives a deleted entity until its delete is sent). */
    entityId: uuid("entity_id").notNull(),
    status: text("status", { enum: customerioSyncStatuses }).notNull().default("pending"),
    version: bigint("version", { mode: "number" }).notNull().default(1),
    syncedVersion: bigint("synced_version", { mode: "number" }).notNull().default(0),
    /** The identifier last sent (person id / object id): what a later delete must name. */
    cioId: text("cio_id"),
    /** Objects: the person ids related at the last send, so a removed relationship is deleted there. */
    syncedRelations: jsonb("synced_relations").$type<string[]>(),
    syncedHash: text("synced_hash"),
    syncedAt: timestamp("synced_at", { withTimezone: true }),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    claimedUntil: timestamp("claimed_until", { withTimezone: true }),
    claimedVersion: bigint("claimed_version", { mode: "number" }),
    lastError: text("last_error"),
    /** A value truncated to fit Customer.io's limits at the last send. */
    warning: text("warning"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.integrationId, t.entity, t.entityId] }),
    // The claim's order: people before objects, then by due time — read straight off this index.
    index("customerio_sync_state_due_idx").on(t.integrationId, t.entity.desc(), t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index("customerio_sync_state_status_idx").on(t.integrationId, t.status),
  ],
);

export type CustomerioIntegration = typeof customerioIntegrations.$inferSelect;
export type CustomerioSyncStateRow = typeof customerioSyncState.$inferSelect;
