// Provider config bodies (create, patch, output), built from the provider definitions; shared by the
// API routes, the forms and the tests.
import { z } from "zod";
import {
  providerConfigStatuses,
  providerKinds,
  type ProviderConfigStatus,
  type ProviderKind,
} from "@/db/schema/enum-values";
import type { CredentialMeta, ProviderDefinitionInput } from "@/lib/providers/definition";
import { providerDefinitions, type ProviderDefinitions } from "@/lib/providers/definitions";
import { limitQuery } from "./common";
import { displayNameSchema, httpUrlSchema } from "./provider-fields";

export { providerConfigStatuses, providerKinds, type ProviderConfigStatus, type ProviderKind };
export { providerChannels, providerDefinitions, providerLabels } from "@/lib/providers/definitions";
export type { CredentialMeta, FieldMeta } from "@/lib/providers/definition";

export const providerKindSchema = z.enum(providerKinds);
export const providerConfigStatusSchema = z.enum(providerConfigStatuses);

export function isProviderKind(value: string): value is ProviderKind {
  return (providerKinds as readonly string[]).includes(value);
}

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
  const d = providerDefinitions[provider] as ProviderDefinitionInput;
  return z.strictObject({
    provider: z.literal(provider),
    ...withDefaults(commonShape, { api_base_url: null, monthly_quota: null }),
    ...withDefaults(d.settings, d.defaults),
    credentials: credentialsShape(provider, false),
  });
}

function buildPatch<P extends ProviderKind>(provider: P) {
  const d = providerDefinitions[provider] as ProviderDefinitionInput;
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
  const d = providerDefinitions[provider] as ProviderDefinitionInput;
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
  /** Where the provider posts events (null: the provider posts none). */
  webhook_url: z.string().nullable(),
  /** When a verified webhook last arrived, to the minute (null: waiting for the first). */
  last_event_at: z.string().nullable(),
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
