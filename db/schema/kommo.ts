import { sql } from "drizzle-orm";
import { bigint, bigserial, boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { timestamps } from "./_columns";
import { tenants } from "./tenants";

export const kommoIntegrationStatuses = ["pending_authorization", "active", "error"] as const;
export type KommoIntegrationStatus = (typeof kommoIntegrationStatuses)[number];
export const kommoDeleteModes = ["exclude", "delete"] as const;
export type KommoDeleteMode = (typeof kommoDeleteModes)[number];
export const kommoSyncStatuses = ["idle", "running", "done", "failed"] as const;
export type KommoSyncStatus = (typeof kommoSyncStatuses)[number];

/**
 * A tenant's Kommo (amoCRM) account mirrored into Unisender. Every credential is a secret ref
 * (lib/secrets, encrypted): the client secret, the OAuth tokens, the Unisender key and the
 * webhook token; only the token's hash is here, to find the integration from its URL.
 */
export const kommoIntegrations = pgTable(
  "kommo_integrations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    subdomain: text("subdomain").notNull(),
    clientId: text("client_id").notNull(),
    clientSecretRef: text("client_secret_ref").notNull(),
    redirectUri: text("redirect_uri").notNull(),
    status: text("status", { enum: kommoIntegrationStatuses }).notNull().default("pending_authorization"),
    errorReason: text("error_reason"),
    /** The nonce of the one OAuth `state` that may still be redeemed (single use: cleared on redemption). */
    oauthStateNonce: text("oauth_state_nonce"),
    accessTokenRef: text("access_token_ref"),
    refreshTokenRef: text("refresh_token_ref"),
    accessExpiresAt: timestamp("access_expires_at", { withTimezone: true }),
    refreshExpiresAt: timestamp("refresh_expires_at", { withTimezone: true }),
    /** Bumped by every stored token pair; a refresh claims the version it read. */
    tokenVersion: integer("token_version").notNull().default(0),
    /** A refresh in flight until then (its claimant does the I/O outside any transaction). */
    refreshClaimedUntil: timestamp("refresh_claimed_until", { withTimezone: true }),
    webhookTokenRef: text("webhook_token_ref").notNull(),
    webhookTokenHash: text("webhook_token_hash").notNull(),
    unisenderKeyRef: text("unisender_key_ref"),
    unisenderListIds: jsonb("unisender_list_ids").$type<string[]>().notNull().default([]),
    deleteMode: text("delete_mode", { enum: kommoDeleteModes }).notNull().default("exclude"),
    syncStatus: text("sync_status", { enum: kommoSyncStatuses }).notNull().default("idle"),
    /** Which full sync is current; a stale run (older generation) stops. */
    syncGeneration: integer("sync_generation").notNull().default(0),
    /** An incremental sync reads contacts updated since then (`filter[updated_at][from]`); null = every contact. */
    syncUpdatedFrom: timestamp("sync_updated_from", { withTimezone: true }),
    /** The next Kommo page to load (resumable after a crash); null = from the start. */
    syncNextPage: text("sync_next_page"),
    syncPages: integer("sync_pages").notNull().default(0),
    syncContacts: integer("sync_contacts").notNull().default(0),
    syncPushed: integer("sync_pushed").notNull().default(0),
    syncError: text("sync_error"),
    syncStartedAt: timestamp("sync_started_at", { withTimezone: true }),
    syncFinishedAt: timestamp("sync_finished_at", { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("kommo_integrations_tenant_subdomain_idx").on(t.tenantId, t.subdomain),
    uniqueIndex("kommo_integrations_webhook_token_idx").on(t.webhookTokenHash),
  ],
);

/** Herald's mirror of the Kommo contacts: what was last pushed to Unisender for each. */
export const kommoContacts = pgTable(
  "kommo_contacts",
  {
    integrationId: uuid("integration_id")
      .notNull()
      .references(() => kommoIntegrations.id, { onDelete: "cascade" }),
    tenantId: uuid("tenant_id").notNull(),
    kommoId: bigint("kommo_id", { mode: "number" }).notNull(),
    name: text("name"),
    emails: jsonb("emails").$type<string[]>().notNull().default([]),
    phones: jsonb("phones").$type<string[]>().notNull().default([]),
    kommoUpdatedAt: timestamp("kommo_updated_at", { withTimezone: true }),
    deleted: boolean("deleted").notNull().default(false),
    ...timestamps,
  },
  (t) => [uniqueIndex("kommo_contacts_integration_kommo_idx").on(t.integrationId, t.kommoId)],
);

export const kommoWebhookStatuses = ["pending", "processed", "failed"] as const;

/**
 * Webhook deliveries from Kommo, recorded before the 2xx and applied in arrival order by the
 * job engine. `dedupeKey` (hash of the body) drops replays.
 */
export const kommoWebhookDeliveries = pgTable(
  "kommo_webhook_deliveries",
  {
    seq: bigserial("seq", { mode: "number" }).primaryKey(),
    integrationId: uuid("integration_id")
      .notNull()
      .references(() => kommoIntegrations.id, { onDelete: "cascade" }),
    tenantId: uuid("tenant_id").notNull(),
    dedupeKey: text("dedupe_key").notNull(),
    changes: jsonb("changes").$type<unknown[]>().notNull(),
    status: text("status", { enum: kommoWebhookStatuses }).notNull().default("pending"),
    error: text("error"),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp("processed_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("kommo_webhook_deliveries_dedupe_idx").on(t.integrationId, t.dedupeKey),
    index("kommo_webhook_deliveries_pending_idx").on(t.integrationId, t.seq).where(sql`status = 'pending'`),
  ],
);

export const integrationRequestServices = ["kommo", "unisender", "webhook"] as const;
export type IntegrationRequestService = (typeof integrationRequestServices)[number];

/** Every call to Kommo or Unisender and every webhook received, secrets redacted; purged by retention. */
export const kommoRequestLog = pgTable(
  "kommo_request_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    integrationId: uuid("integration_id")
      .notNull()
      .references(() => kommoIntegrations.id, { onDelete: "cascade" }),
    tenantId: uuid("tenant_id").notNull(),
    service: text("service", { enum: integrationRequestServices }).notNull(),
    operation: text("operation").notNull(),
    method: text("method").notNull(),
    input: jsonb("input").$type<Record<string, unknown>>().notNull().default({}),
    /** HTTP status; null when no answer came (network error, timeout). */
    status: integer("status"),
    ok: boolean("ok").notNull(),
    summary: text("summary").notNull().default(""),
    durationMs: integer("duration_ms").notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("kommo_request_log_integration_idx").on(t.integrationId, t.id), index("kommo_request_log_created_idx").using("brin", t.createdAt)],
);

export type KommoIntegration = typeof kommoIntegrations.$inferSelect;
export type KommoContact = typeof kommoContacts.$inferSelect;
export type KommoWebhookDelivery = typeof kommoWebhookDeliveries.$inferSelect;
export type KommoRequestLogEntry = typeof kommoRequestLog.$inferSelect;
