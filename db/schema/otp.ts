// One-time passcodes: the codes (keyed hashes only), the tenant's OTP policy, SMS-pumping
// blocks, refused attempts, and the Infobip 2FA applications Herald keeps per config.
import { sql } from "drizzle-orm";
import { bigserial, boolean, index, integer, jsonb, numeric, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { providerConfigs } from "./provider-configs";
import { tenants } from "./tenants";

export const otpStatuses = ["pending", "verified", "locked", "expired", "failed"] as const;
export type OtpStatus = (typeof otpStatuses)[number];
export const otpChannels = ["sms", "whatsapp"] as const;
export type OtpChannel = (typeof otpChannels)[number];

/** AES-256-GCM sealed code (see lib/secrets/crypto): kept only until the provider has it. */
export interface SealedCode {
  ciphertext: string;
  iv: string;
  authTag: string;
  keyVersion: number;
}

/**
 * One passcode request. A resend replaces the code on the same row (generation + 1), so the
 * old code no longer matches. `code_hash` is an HMAC keyed by a key derived from the master
 * key; `code_sealed` holds the code encrypted for the delivery workflow and is wiped once the
 * provider accepted (or the message failed) and on any terminal state.
 */
export const otpCodes = pgTable(
  "otp_codes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    to: text("to").notNull(),
    /** ISO region of `to` (e.g. SE) and its prefix (E.164 without the last 4 digits): pumping stats. */
    country: text("country"),
    prefix: text("prefix").notNull(),
    channel: text("channel", { enum: otpChannels }).notNull(),
    purpose: text("purpose"),
    locale: text("locale"),
    template: text("template"),
    length: integer("length").notNull(),
    ttlSeconds: integer("ttl_seconds").notNull(),
    status: text("status", { enum: otpStatuses }).notNull().default("pending"),
    generation: integer("generation").notNull().default(1),
    codeHash: text("code_hash"),
    codeSealed: jsonb("code_sealed").$type<SealedCode | null>(),
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    resendAvailableAt: timestamp("resend_available_at", { withTimezone: true }).notNull(),
    /** The message of the current generation (masked body). */
    messageId: uuid("message_id"),
    /** Set when a provider generated the PIN (Infobip 2FA): verification goes to the provider. */
    providerPinId: text("provider_pin_id"),
    providerConfigId: uuid("provider_config_id"),
    apiKeyId: uuid("api_key_id"),
    clientAddress: text("client_address"),
    idempotencyKey: text("idempotency_key"),
    requestHash: text("request_hash").notNull(),
    estimatedCost: numeric("estimated_cost", { precision: 12, scale: 4 }).notNull().default("0"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    verifiedAt: timestamp("verified_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("otp_codes_idempotency_idx").on(t.tenantId, t.idempotencyKey).where(sql`${t.idempotencyKey} is not null`),
    index("otp_codes_tenant_created_idx").on(t.tenantId, t.createdAt),
    index("otp_codes_prefix_idx").on(t.tenantId, t.prefix, t.createdAt),
    index("otp_codes_country_idx").on(t.tenantId, t.country, t.createdAt),
  ],
);

/**
 * The tenant's OTP rules; no row (or a null column) = the defaults in lib/otp/policy.ts.
 * `allowed_countries` null = the default country only.
 */
export const otpPolicies = pgTable("otp_policies", {
  tenantId: uuid("tenant_id")
    .primaryKey()
    .references(() => tenants.id, { onDelete: "cascade" }),
  defaultCountry: text("default_country"),
  allowedCountries: text("allowed_countries").array(),
  /** Throttle limits: `{ "destination_30s": 1, … }`, see lib/otp/policy.ts for the keys. */
  limits: jsonb("limits").$type<Record<string, number>>(),
  dailySpendCap: numeric("daily_spend_cap", { precision: 12, scale: 4 }),
  costPerMessage: numeric("cost_per_message", { precision: 12, scale: 4 }),
  pumpingMinSends: integer("pumping_min_sends"),
  pumpingMinConversionPercent: integer("pumping_min_conversion_percent"),
  updatedAt: timestamp("updated_at", { withTimezone: true })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date()),
});

export const otpBlockKinds = ["country", "prefix"] as const;
export type OtpBlockKind = (typeof otpBlockKinds)[number];

/** A destination country or number prefix blocked for OTP; active until an admin unblocks it. */
export const otpBlocks = pgTable(
  "otp_blocks",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: otpBlockKinds }).notNull(),
    value: text("value").notNull(),
    reason: text("reason").notNull(),
    /** The figures that triggered it: sends, verified, conversion, window. */
    stats: jsonb("stats").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    unblockedAt: timestamp("unblocked_at", { withTimezone: true }),
    unblockedBy: text("unblocked_by"),
  },
  (t) => [
    // At most one active block per country/prefix: concurrent detections agree on one row.
    uniqueIndex("otp_blocks_active_idx").on(t.tenantId, t.kind, t.value).where(sql`${t.unblockedAt} is null`),
    index("otp_blocks_tenant_idx").on(t.tenantId, t.createdAt),
  ],
);

/** Every refused OTP send (throttle, allow-list, spend cap, block): the dashboard's blocked attempts. */
export const otpRefusals = pgTable(
  "otp_refusals",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    reason: text("reason").notNull(),
    country: text("country"),
    prefix: text("prefix"),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("otp_refusals_tenant_at_idx").on(t.tenantId, t.at)],
);

/** A provider-side 2FA application + message template Herald created for a config (Infobip 2FA). */
export const otpProviderApps = pgTable(
  "otp_provider_apps",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    configId: uuid("config_id")
      .notNull()
      .references(() => providerConfigs.id, { onDelete: "cascade" }),
    /** Template text with `{{pin}}`, PIN length and TTL: one template per distinct combination. */
    templateKey: text("template_key").notNull(),
    applicationId: text("application_id").notNull(),
    messageId: text("message_id").notNull(),
    enabled: boolean("enabled").notNull().default(true),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("otp_provider_apps_key_idx").on(t.configId, t.templateKey)],
);

export type OtpCode = typeof otpCodes.$inferSelect;
export type NewOtpCode = typeof otpCodes.$inferInsert;
export type OtpPolicyRow = typeof otpPolicies.$inferSelect;
export type OtpBlock = typeof otpBlocks.$inferSelect;
export type OtpProviderApp = typeof otpProviderApps.$inferSelect;
