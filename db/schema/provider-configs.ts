import { bigint, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { timestamps } from "./_columns";
import { tenants } from "./tenants";
import { users } from "./users";

import { providerConfigStatuses, providerKinds } from "./enum-values";

export { providerConfigStatuses, providerKinds, type ProviderConfigStatus, type ProviderKind } from "./enum-values";

export const providerKindEnum = pgEnum("provider_kind", providerKinds);
export const providerConfigStatusEnum = pgEnum("provider_config_status", providerConfigStatuses);

/**
 * One tenant's account at one provider. `settings` holds the provider-specific non-secret fields
 * (validated by lib/validations/provider-configs.ts); `credentials` maps each credential field to
 * a ref (`secret:<id>` in the secret store or `env:<VAR>`), never a value.
 */
export const providerConfigs = pgTable(
  "provider_configs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    provider: providerKindEnum("provider").notNull(),
    displayName: text("display_name").notNull(),
    status: providerConfigStatusEnum("status").notNull().default("draft"),
    settings: jsonb("settings").$type<Record<string, unknown>>().notNull().default({}),
    credentials: jsonb("credentials").$type<Record<string, string>>().notNull().default({}),
    /** Overrides the provider's real API host (the simulator sets this). */
    apiBaseUrl: text("api_base_url"),
    monthlyQuota: integer("monthly_quota"),
    lastError: text("last_error"),
    lastTestedAt: timestamp("last_tested_at", { withTimezone: true }),
    statusChangedAt: timestamp("status_changed_at", { withTimezone: true }).notNull().defaultNow(),
    /**
     * `secret:<id>` of the unguessable token in 46elks/Infobip callback URLs: those providers
     * don't sign callbacks, so the URL itself is the credential.
     */
    callbackTokenRef: text("callback_token_ref"),
    // Usage counters, filled by the messaging engine.
    sentCount: bigint("sent_count", { mode: "number" }).notNull().default(0),
    deliveredCount: bigint("delivered_count", { mode: "number" }).notNull().default(0),
    failedCount: bigint("failed_count", { mode: "number" }).notNull().default(0),
    lastSentAt: timestamp("last_sent_at", { withTimezone: true }),
    /** When a verified webhook from the provider last arrived (to the minute): "is the URL pasted?". */
    lastEventAt: timestamp("last_event_at", { withTimezone: true }),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    updatedBy: uuid("updated_by").references(() => users.id, { onDelete: "set null" }),
    ...timestamps,
  },
  (t) => [
    index("provider_configs_tenant_provider_idx").on(t.tenantId, t.provider, t.status),
    index("provider_configs_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
  ],
);

export type ProviderConfig = typeof providerConfigs.$inferSelect;
export type NewProviderConfig = typeof providerConfigs.$inferInsert;
