// Provider config schemas: one per provider, shared by the API routes, the forms and the tests.
import { z } from "zod";
import {
  providerConfigStatuses,
  providerKinds,
  type ProviderConfigStatus,
  type ProviderKind,
} from "@/db/schema/provider-configs";
import { limitQuery, E164_PATTERN } from "./common";

export { providerConfigStatuses, providerKinds, type ProviderConfigStatus, type ProviderKind };

export const providerKindSchema = z.enum(providerKinds);
export const providerConfigStatusSchema = z.enum(providerConfigStatuses);

export function isProviderKind(value: string): value is ProviderKind {
  return (providerKinds as readonly string[]).includes(value);
}

export const providerLabels: Record<ProviderKind, string> = {
  sendgrid: "SendGrid",
  mailgun: "Mailgun",
  elks: "46elks",
  twilio: "Twilio",
  infobip: "Infobip",
  fcm: "Firebase Cloud Messaging",
  onesignal: "OneSignal",
  whatsapp: "WhatsApp Business Cloud",
};

export const providerChannels: Record<ProviderKind, "email" | "sms" | "push" | "whatsapp"> = {
  sendgrid: "email",
  mailgun: "email",
  elks: "sms",
  twilio: "sms",
  infobip: "sms",
  fcm: "push",
  onesignal: "push",
  whatsapp: "whatsapp",
};

// ---------------------------------------------------------------------------------------------
// Field validators (also used by the forms for inline validation)

/** E.164: a plus, a country code that doesn't start with 0, at most 15 digits in all. */
export const e164Schema = z
  .string()
  .trim()
  .regex(E164_PATTERN, "Use an E.164 number: + country code and number, digits only (e.g. +46700000000)");

// GSM 03.38 basic-set characters that senders accept; extension characters (€, [, ] …) take two
// septets, so they are left out rather than miscounted.
const ALPHANUMERIC_SENDER = /^[A-Za-z0-9 &'()*,.\-/:;<=>?!_@#%]+$/;

/** An SMS sender: an E.164 number, or at most 11 GSM characters with at least one letter. */
export const senderIdSchema = z
  .string()
  .trim()
  .min(1, "A sender is required")
  .superRefine((value, issue) => {
    if (value.startsWith("+") || /^\d+$/.test(value)) {
      if (!E164_PATTERN.test(value)) {
        issue.addIssue({ code: "custom", message: "A numeric sender must be an E.164 number (e.g. +46700000000)" });
      }
      return;
    }
    if (value.length > 11) {
      issue.addIssue({ code: "custom", message: "An alphanumeric sender is at most 11 characters" });
    } else if (!ALPHANUMERIC_SENDER.test(value)) {
      issue.addIssue({ code: "custom", message: "Use letters A–Z, digits, spaces and basic punctuation (GSM characters)" });
    } else if (!/[A-Za-z]/.test(value)) {
      issue.addIssue({ code: "custom", message: "An alphanumeric sender needs at least one letter" });
    }
  });

// Intl knows these codes but they are not ISO 3166-1 countries.
const NOT_COUNTRIES = new Set(["EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"]);
let regionNames: Intl.DisplayNames | undefined;

/** The English name of an ISO 3166-1 alpha-2 code, or undefined when it names no country. */
export function countryName(code: string): string | undefined {
  if (!/^[A-Z]{2}$/.test(code) || NOT_COUNTRIES.has(code)) return undefined;
  regionNames ??= new Intl.DisplayNames(["en"], { type: "region" });
  try {
    const name = regionNames.of(code);
    return name && name !== code ? name : undefined;
  } catch {
    return undefined;
  }
}

export const countryCodeSchema = z
  .string()
  .trim()
  .toUpperCase()
  .refine((c) => countryName(c) !== undefined, "Use an ISO 3166-1 alpha-2 country code (e.g. SE, US)");

/** BCP 47, canonicalised; WhatsApp's `en_US` spelling is accepted and stored as `en-US`. */
export const languageTagSchema = z
  .string()
  .trim()
  .min(2, "Use a BCP 47 language tag (e.g. en-US)")
  .transform((value, ctx) => {
    try {
      const [canonical] = Intl.getCanonicalLocales(value.replace(/_/g, "-"));
      if (canonical) return canonical;
    } catch {
      // fall through
    }
    ctx.addIssue({ code: "custom", message: "Use a BCP 47 language tag (e.g. en-US, sv, pt-BR)" });
    return z.NEVER;
  });

const httpUrlSchema = z
  .string()
  .trim()
  .max(2048)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === "https:" || url.protocol === "http:") && !url.username && !url.password && !url.hash;
    } catch {
      return false;
    }
  }, "Use an http(s) URL without credentials or fragment")
  .transform((value) => value.replace(/\/+$/, ""));

const displayNameSchema = z.string().trim().min(1, "A name is required").max(100, "At most 100 characters");
const emailSchema = z.string().trim().toLowerCase().max(320).email("Use a valid email address");
const nameSchema = z.string().trim().min(1, "Required").max(100, "At most 100 characters");
const hostnameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/, "Use a domain name (e.g. mg.example.com)");

// ---------------------------------------------------------------------------------------------
// Credentials: write-only. Input is a value to store (encrypted) or a ref; output is metadata.

export const SECRET_REF_PATTERN = /^secret:[0-9a-f-]{36}$/i;
export const ENV_REF_PATTERN = /^env:[A-Z_][A-Z0-9_]*$/;

/**
 * One credential in a request: a plain string or `{ value }` is stored in the secret store;
 * `{ ref: "env:VAR" }` reads the environment; `{ ref: "secret:<id>" }` reuses a stored secret
 * of the same tenant.
 */
export const credentialInputSchema = z.union([
  z.string().min(1, "Required").max(16_384, "At most 16 KiB"),
  z.strictObject({ value: z.string().min(1, "Required").max(16_384, "At most 16 KiB") }),
  z.strictObject({
    ref: z
      .string()
      .trim()
      .refine((r) => SECRET_REF_PATTERN.test(r) || ENV_REF_PATTERN.test(r), "A ref is `secret:<id>` or `env:<VAR>`"),
  }),
], {
  error: (issue) =>
    issue.input === undefined || issue.input === "" ? "Required" : "Give the value, or a ref (`secret:<id>` or `env:<VAR>`)",
});
export type CredentialInput = z.infer<typeof credentialInputSchema>;

/** What responses carry for a credential: where it lives and when it changed, never the value. */
export const credentialOut = z.strictObject({
  ref: z.string(),
  source: z.enum(["secret", "env"]),
  /** For env refs: whether the variable is set in the server's environment. */
  set: z.boolean(),
  created_at: z.string().nullable(),
  rotated_at: z.string().nullable(),
});
export type CredentialOut = z.infer<typeof credentialOut>;

// ---------------------------------------------------------------------------------------------
// Per-provider definitions. Field schemas carry no defaults (a PATCH must not re-apply them);
// defaults are applied on create only.

type FieldKind = "text" | "email" | "boolean" | "number" | "select" | "list" | "url";
export interface FieldMeta {
  label: string;
  kind: FieldKind;
  description?: string;
  placeholder?: string;
  options?: readonly string[];
  optional?: boolean;
}
export interface CredentialMeta {
  label: string;
  description?: string;
  multiline?: boolean;
  optional?: boolean;
}

interface ProviderDefinition {
  settings: Record<string, z.ZodType>;
  fields: Record<string, FieldMeta>;
  defaults: Record<string, unknown>;
  credentials: Record<string, CredentialMeta>;
  /** Read-only URL fields Herald derives from the config id. */
  derived: readonly ("dlr_callback_url" | "status_callback_url")[];
}

/**
 * Delivery settings every provider config has (API-settable; null = the default): its send
 * rate and concurrency, and its circuit breaker's thresholds.
 */
const positiveInt = (max: number) => z.number().int("A whole number").min(1, "At least 1").max(max).nullable();
export const deliverySettingsShape = {
  rate_limit_per_second: z.number().positive("Above 0").max(100_000).nullable(),
  max_concurrency: positiveInt(10_000),
  breaker_consecutive_failures: positiveInt(1_000),
  breaker_error_rate_percent: z.number().min(1, "At least 1").max(100, "At most 100").nullable(),
  breaker_window_seconds: positiveInt(3_600),
  breaker_min_calls: positiveInt(100_000),
  breaker_cooldown_seconds: positiveInt(3_600),
};
const deliveryDefaults = Object.fromEntries(Object.keys(deliverySettingsShape).map((k) => [k, null])) as Record<keyof typeof deliverySettingsShape, null>;

const def = <D extends ProviderDefinition>(d: D) => ({
  ...d,
  settings: { ...d.settings, ...deliverySettingsShape },
  defaults: { ...d.defaults, ...deliveryDefaults },
});

export const providerDefinitions = {
  sendgrid: def({
    settings: {
      from_email: emailSchema,
      from_name: nameSchema,
      reply_to_email: emailSchema.nullable(),
      enable_open_tracking: z.boolean(),
      enable_click_tracking: z.boolean(),
      enable_unsubscribe_tracking: z.boolean(),
      ip_pool_name: z.string().trim().min(2).max(64).regex(/^[A-Za-z0-9._-]+$/, "Letters, digits, . _ - only").nullable(),
      sandbox_mode: z.boolean(),
    },
    fields: {
      from_email: { label: "From email", kind: "email", placeholder: "noreply@example.com" },
      from_name: { label: "From name", kind: "text", placeholder: "Example School" },
      reply_to_email: { label: "Reply-to email", kind: "email", optional: true },
      enable_open_tracking: { label: "Open tracking", kind: "boolean" },
      enable_click_tracking: { label: "Click tracking", kind: "boolean" },
      enable_unsubscribe_tracking: { label: "Unsubscribe tracking", kind: "boolean" },
      ip_pool_name: { label: "IP pool name", kind: "text", optional: true },
      sandbox_mode: { label: "Sandbox mode", kind: "boolean", description: "SendGrid validates but does not deliver" },
    },
    defaults: {
      reply_to_email: null,
      enable_open_tracking: true,
      enable_click_tracking: true,
      enable_unsubscribe_tracking: false,
      ip_pool_name: null,
      sandbox_mode: false,
    },
    credentials: {
      api_key_ref: { label: "API key" },
      webhook_signing_key_ref: {
        label: "Event Webhook verification key",
        description: "The public key SendGrid shows for the signed Event Webhook",
        multiline: true,
      },
    },
    derived: [],
  }),
  mailgun: def({
    settings: {
      domain: hostnameSchema,
      region: z.enum(["eu", "us"]),
      from_email: emailSchema,
      from_name: nameSchema,
      enable_tracking: z.boolean(),
      enable_click_tracking: z.boolean(),
      test_mode: z.boolean(),
    },
    fields: {
      domain: { label: "Sending domain", kind: "text", placeholder: "mg.example.com" },
      region: { label: "Region", kind: "select", options: ["eu", "us"] },
      from_email: { label: "From email", kind: "email" },
      from_name: { label: "From name", kind: "text" },
      enable_tracking: { label: "Open tracking", kind: "boolean" },
      enable_click_tracking: { label: "Click tracking", kind: "boolean" },
      test_mode: { label: "Test mode", kind: "boolean", description: "Mailgun accepts but does not deliver" },
    },
    defaults: { region: "eu", enable_tracking: true, enable_click_tracking: true, test_mode: false },
    credentials: {
      api_key_ref: { label: "API key" },
      webhook_signing_key_ref: { label: "Webhook signing key" },
    },
    derived: [],
  }),
  elks: def({
    settings: {
      sender_id: senderIdSchema,
      default_country_code: z
        .string()
        .trim()
        .regex(/^\+[1-9]\d{0,3}$/, "Use + and the country calling code (e.g. +46)"),
    },
    fields: {
      sender_id: {
        label: "Sender ID",
        kind: "text",
        description: "At most 11 letters/digits, or an E.164 number",
        placeholder: "Herald",
      },
      default_country_code: { label: "Default country code", kind: "text", placeholder: "+46" },
    },
    defaults: { default_country_code: "+46" },
    credentials: { api_username_ref: { label: "API username" }, api_password_ref: { label: "API password" } },
    derived: ["dlr_callback_url"],
  }),
  twilio: def({
    settings: {
      messaging_service_sid: z
        .string()
        .trim()
        .regex(/^MG[0-9a-fA-F]{32}$/, "A Messaging Service SID is MG followed by 32 hex characters")
        .nullable(),
      from_number: e164Schema,
      supported_countries: z.array(countryCodeSchema).max(250).refine((a) => new Set(a).size === a.length, "Countries repeat"),
    },
    fields: {
      messaging_service_sid: { label: "Messaging Service SID", kind: "text", optional: true, placeholder: "MG…" },
      from_number: { label: "From number", kind: "text", placeholder: "+15005550006" },
      supported_countries: {
        label: "Supported countries",
        kind: "list",
        description: "ISO 3166 alpha-2 codes, comma-separated; empty means any",
        placeholder: "SE, NO, US",
      },
    },
    defaults: { messaging_service_sid: null, supported_countries: [] },
    credentials: { account_sid_ref: { label: "Account SID" }, auth_token_ref: { label: "Auth token" } },
    derived: ["status_callback_url"],
  }),
  infobip: def({
    settings: {
      base_url: httpUrlSchema,
      sender: senderIdSchema,
    },
    fields: {
      base_url: { label: "Base URL", kind: "url", placeholder: "https://xxxxx.api.infobip.com", description: "Your account's API base URL" },
      sender: { label: "Sender", kind: "text", placeholder: "InfoSMS" },
    },
    defaults: {},
    credentials: { api_key_ref: { label: "API key" } },
    derived: ["dlr_callback_url"],
  }),
  fcm: def({
    settings: {
      project_id: z
        .string()
        .trim()
        .regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, "A Firebase project id: 6–30 lower-case letters, digits and dashes"),
      default_ttl_seconds: z.number().int("Whole seconds").min(0).max(2_419_200, "At most 28 days (2419200 s)"),
      default_priority: z.enum(["normal", "high"]),
    },
    fields: {
      project_id: { label: "Project ID", kind: "text" },
      default_ttl_seconds: { label: "Default TTL (seconds)", kind: "number" },
      default_priority: { label: "Default priority", kind: "select", options: ["normal", "high"] },
    },
    defaults: { default_ttl_seconds: 2_419_200, default_priority: "high" },
    credentials: {
      service_account_json_ref: { label: "Service account JSON", multiline: true, description: "The key file from the Firebase console" },
    },
    derived: [],
  }),
  onesignal: def({
    settings: { app_id: z.string().trim().toLowerCase().uuid("The OneSignal app id is a UUID") },
    fields: { app_id: { label: "App ID", kind: "text" } },
    defaults: {},
    credentials: { rest_api_key_ref: { label: "REST API key" } },
    derived: [],
  }),
  whatsapp: def({
    settings: {
      phone_number_id: z.string().trim().regex(/^\d{5,20}$/, "The phone number id is digits"),
      business_account_id: z.string().trim().regex(/^\d{5,20}$/, "The business account id is digits"),
      display_phone_number: z
        .string()
        .trim()
        .transform((v) => v.replace(/[\s().-]/g, ""))
        .pipe(z.string().regex(/^\+?[1-9]\d{6,14}$/, "Use the number in international format (e.g. +15551234567)")),
      business_name: nameSchema,
      default_language_code: languageTagSchema,
    },
    fields: {
      phone_number_id: { label: "Phone number ID", kind: "text" },
      business_account_id: { label: "Business account ID", kind: "text" },
      display_phone_number: { label: "Display phone number", kind: "text", placeholder: "+15551234567" },
      business_name: { label: "Business name", kind: "text" },
      default_language_code: { label: "Default language (BCP 47)", kind: "text", placeholder: "en-US" },
    },
    defaults: { default_language_code: "en-US" },
    credentials: {
      access_token_ref: { label: "Access token" },
      app_secret_ref: { label: "App secret" },
      webhook_verify_token_ref: { label: "Webhook verify token" },
    },
    derived: [],
  }),
} satisfies Record<ProviderKind, ProviderDefinition>;

export type ProviderDefinitions = typeof providerDefinitions;
export type CredentialField<P extends ProviderKind> = keyof ProviderDefinitions[P]["credentials"] & string;
export type ProviderSettings<P extends ProviderKind> = {
  [K in keyof ProviderDefinitions[P]["settings"]]: z.output<ProviderDefinitions[P]["settings"][K]>;
};

export function credentialFields(provider: ProviderKind): string[] {
  return Object.keys(providerDefinitions[provider].credentials);
}

const commonShape = {
  display_name: displayNameSchema,
  api_base_url: httpUrlSchema.nullable(),
  monthly_quota: z.number().int("A whole number").min(1, "At least 1").max(1_000_000_000).nullable(),
};

function withDefaults(shape: Record<string, z.ZodType>, defaults: Record<string, unknown>) {
  return Object.fromEntries(
    Object.entries(shape).map(([k, s]) => [k, k in defaults ? s.optional().transform((v) => (v === undefined ? defaults[k] : v)) : s]),
  );
}

function credentialsShape(provider: ProviderKind, partial: boolean) {
  const entries = Object.entries(providerDefinitions[provider].credentials as Record<string, CredentialMeta>).map(([k, meta]) => [
    k,
    partial || meta.optional ? credentialInputSchema.optional() : credentialInputSchema,
  ]);
  return z.strictObject(Object.fromEntries(entries) as Record<string, z.ZodType<CredentialInput | undefined>>);
}

function buildCreate<P extends ProviderKind>(provider: P) {
  const d = providerDefinitions[provider] as ProviderDefinition;
  return z.strictObject({
    provider: z.literal(provider),
    ...withDefaults(commonShape, { api_base_url: null, monthly_quota: null }),
    ...withDefaults(d.settings, d.defaults),
    credentials: credentialsShape(provider, false),
  });
}

function buildPatch<P extends ProviderKind>(provider: P) {
  const d = providerDefinitions[provider] as ProviderDefinition;
  const optional = (shape: Record<string, z.ZodType>) =>
    Object.fromEntries(Object.entries(shape).map(([k, s]) => [k, s.optional()]));
  return z
    .strictObject({
      provider: z.literal(provider).optional(),
      ...optional(commonShape),
      ...optional(d.settings),
      credentials: credentialsShape(provider, true).optional(),
    })
    .refine((v) => Object.keys(v).some((k) => k !== "provider"), "Send at least one field to change");
}

/** Settings parsed from the database row (already validated on write; defaults filled). */
export function settingsSchema<P extends ProviderKind>(provider: P) {
  const d = providerDefinitions[provider] as ProviderDefinition;
  return z.object(withDefaults(d.settings, d.defaults));
}

type AnyObj = z.ZodType<Record<string, unknown> & { provider: ProviderKind }>;
export const createConfigBodies = Object.fromEntries(providerKinds.map((p) => [p, buildCreate(p)])) as unknown as Record<ProviderKind, AnyObj>;
export const patchConfigBodies = Object.fromEntries(providerKinds.map((p) => [p, buildPatch(p)])) as unknown as Record<
  ProviderKind,
  z.ZodType<Record<string, unknown>>
>;

/** The discriminated union of every provider's create body. */
export const createConfigBody = z.discriminatedUnion(
  "provider",
  providerKinds.map((p) => buildCreate(p)) as unknown as [ReturnType<typeof buildCreate>, ...ReturnType<typeof buildCreate>[]],
);

/** A create body: display_name, api_base_url?, monthly_quota?, provider settings, credentials. */
export interface CreateConfigInput {
  provider: ProviderKind;
  display_name: string;
  api_base_url?: string | null;
  monthly_quota?: number | null;
  credentials: Record<string, CredentialInput | undefined>;
  [setting: string]: unknown;
}
export interface PatchConfigInput {
  provider?: ProviderKind;
  display_name?: string;
  api_base_url?: string | null;
  monthly_quota?: number | null;
  credentials?: Record<string, CredentialInput | undefined>;
  [setting: string]: unknown;
}

export const transitionTargets = ["active", "paused", "decommissioned"] as const;
export const transitionBody = z.strictObject({
  to: z.enum(transitionTargets, "`to` is one of active, paused, decommissioned"),
});
export type TransitionTarget = (typeof transitionTargets)[number];

export const listConfigsQuery = z.object({
  status: providerConfigStatusSchema.optional(),
  cursor: z.string().max(200).optional(),
  limit: limitQuery,
});
export type ListConfigsQuery = z.infer<typeof listConfigsQuery>;

// ---------------------------------------------------------------------------------------------
// Output

const breakerStateSchema = z.enum(["closed", "open", "half_open"]);
/** The config's circuit breaker: `degraded` while open or half-open; error_rate is 0..1 over the window. */
export const breakerOut = z.object({
  state: breakerStateSchema,
  degraded: z.boolean(),
  reason: z.string().nullable(),
  error_rate: z.number().nullable(),
  calls_in_window: z.number(),
  failures_in_window: z.number(),
  consecutive_failures: z.number(),
  open_until: z.string().nullable(),
  state_changed_at: z.string().nullable(),
  policy: z.object({
    consecutive_failures: z.number(),
    error_rate_percent: z.number(),
    window_seconds: z.number(),
    min_calls: z.number(),
    cooldown_seconds: z.number(),
  }),
  transitions: z.array(
    z.object({ from: breakerStateSchema, to: breakerStateSchema, reason: z.string(), error_rate: z.number().nullable(), calls: z.number().nullable(), at: z.string() }),
  ),
});
export type BreakerOut = z.infer<typeof breakerOut>;

const configOutBase = z.object({
  id: z.string(),
  provider: providerKindSchema,
  display_name: z.string(),
  status: providerConfigStatusSchema,
  credentials: z.record(z.string(), credentialOut),
  api_base_url: z.string().nullable(),
  monthly_quota: z.number().nullable(),
  last_error: z.string().nullable(),
  last_tested_at: z.string().nullable(),
  status_changed_at: z.string(),
  allowed_transitions: z.array(z.enum(transitionTargets)),
  dlr_callback_url: z.string().optional(),
  status_callback_url: z.string().optional(),
  usage: z.object({
    sent: z.number(),
    delivered: z.number(),
    failed: z.number(),
    last_sent_at: z.string().nullable(),
  }),
  health: breakerOut,
  created_by: z.string().nullable(),
  updated_by: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

/**
 * Per-provider response shapes: the common fields plus that provider's settings, flat like the
 * request bodies. Every response passes through one of these, so a key that is not listed here
 * (a secret, a raw row column) is stripped rather than leaked.
 */
export const providerConfigOutBodies = Object.fromEntries(
  providerKinds.map((p) => [p, configOutBase.extend({ provider: z.literal(p), ...settingsSchema(p).shape })]),
) as unknown as Record<ProviderKind, z.ZodType<ProviderConfigOut>>;

export type ProviderConfigOut = z.infer<typeof configOutBase> & Record<string, unknown>;
export const providerConfigOut = z.union(providerKinds.map((p) => providerConfigOutBodies[p]) as [z.ZodType<ProviderConfigOut>, ...z.ZodType<ProviderConfigOut>[]]);

export const providerConfigListOut = z.object({
  data: z.array(providerConfigOut),
  next_cursor: z.string().nullable(),
});
export type ProviderConfigListOut = z.infer<typeof providerConfigListOut>;

export const testResultOut = z.object({
  ok: z.boolean(),
  /** `auth`/`rejected`/`credentials_missing` move the config to error; `unreachable`/`provider_error` leave the status alone. */
  outcome: z.enum(["ok", "auth", "rejected", "credentials_missing", "unreachable", "provider_error"]),
  message: z.string(),
  http_status: z.number().nullable(),
  latency_ms: z.number(),
  config: providerConfigOut,
});
export type TestResultOut = z.infer<typeof testResultOut>;
