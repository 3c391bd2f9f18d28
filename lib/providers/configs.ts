// Provider configs: tenant-scoped CRUD, the lifecycle, credential storage and the "test" check.
import { randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { getDb, type DbOrTx } from "@/db";
import {
  findProviderConfig,
  findProviderConfigForWebhook,
  insertProviderConfig,
  listProviderConfigs,
  lockProviderConfig,
  transitionProviderConfig,
  updateProviderConfig,
} from "@/db/queries/provider-configs";
import type { ProviderConfig, ProviderConfigStatus, ProviderKind } from "@/db/schema/provider-configs";
import { ApiError } from "@/lib/api/errors";
import { recordAudit } from "@/lib/audit/record-audit";
import { logger } from "@/lib/logger";
import { describeBreaker } from "@/lib/providers/circuit-breaker";
import { checkProviderCredentials, type CheckOutcome } from "@/lib/providers/credential-checks";
import {
  createSecret,
  describeRefs,
  isEnvRefAllowed,
  parseRef,
  refExists,
  resolveSecretRef,
  rotateSecret,
  SecretStoreError,
} from "@/lib/secrets/store";
import { actorUserId, type TenantContext } from "@/lib/tenancy/context";
import {
  createConfigBodies,
  credentialFields,
  patchConfigBodies,
  providerConfigOutBodies,
  providerDefinitions,
  settingsSchema,
  type CreateConfigInput,
  type CredentialInput,
  type PatchConfigInput,
  type ProviderConfigListOut,
  type ProviderConfigOut,
  type ProviderSettings,
  type TestResultOut,
  type TransitionTarget,
} from "@/lib/validations/provider-configs";

// ---------------------------------------------------------------------------------------------
// Types for the messaging engine

/** A config row with its settings typed by provider. */
export type ProviderConfigRecord = {
  [P in ProviderKind]: Omit<ProviderConfig, "provider" | "settings"> & { provider: P; settings: ProviderSettings<P> };
}[ProviderKind];

export type ConfigOf<P extends ProviderKind> = Extract<ProviderConfigRecord, { provider: P }>;

/** Decrypted credential values keyed by field (`api_key_ref` → the key). Server-only. */
export type ResolvedCredentials = Record<string, string>;

// ---------------------------------------------------------------------------------------------
// Lifecycle

/** What a member may ask for from each status; `error` is set by Herald, and leaves it only through a passing test. */
export const allowedTransitions: Record<ProviderConfigStatus, TransitionTarget[]> = {
  draft: ["active", "decommissioned"],
  active: ["paused", "decommissioned"],
  paused: ["active", "decommissioned"],
  error: ["decommissioned"],
  decommissioned: [],
};

function illegalTransition(from: ProviderConfigStatus, to: string) {
  const hint = from === "error" && to === "active" ? " Run a test: a passing test moves it back to active." : "";
  return new ApiError({
    code: "conflict",
    message: `A ${from} config cannot move to ${to}.${hint}`,
    details: { from, to, allowed: allowedTransitions[from] },
  });
}

// ---------------------------------------------------------------------------------------------
// Output

/** Herald's public origin for provider callbacks: HERALD_PUBLIC_URL, else NEXTAUTH_URL. */
export function publicBaseUrl(): string {
  return (process.env.HERALD_PUBLIC_URL || process.env.NEXTAUTH_URL || "http://localhost:3000").replace(/\/+$/, "");
}

/** The webhook URL a provider posts delivery reports to for this config. */
export async function callbackUrlFor(config: Pick<ProviderConfig, "id" | "provider" | "tenantId" | "callbackTokenRef">, db: DbOrTx = getDb()) {
  const url = `${publicBaseUrl()}/api/webhooks/${config.provider}/${config.id}`;
  if (!config.callbackTokenRef) return url;
  const token = await resolveSecretRef(db, config.tenantId, config.callbackTokenRef);
  return `${url}?token=${encodeURIComponent(token)}`;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

async function toOut(db: DbOrTx, row: ProviderConfig): Promise<ProviderConfigOut> {
  const refs = Object.values(row.credentials);
  const meta = await describeRefs(db, row.tenantId, refs);
  const credentials = Object.fromEntries(
    Object.entries(row.credentials).map(([field, ref]) => {
      const m = meta.get(ref);
      return [
        field,
        { ref, source: m?.source ?? "secret", set: m?.set ?? false, created_at: iso(m?.createdAt), rotated_at: iso(m?.rotatedAt) },
      ];
    }),
  );
  const derived: Record<string, string> = {};
  for (const field of providerDefinitions[row.provider].derived) derived[field] = await callbackUrlFor(row, db);
  const out = {
    ...row.settings,
    id: row.id,
    provider: row.provider,
    display_name: row.displayName,
    status: row.status,
    credentials,
    api_base_url: row.apiBaseUrl,
    monthly_quota: row.monthlyQuota,
    last_error: row.lastError,
    last_tested_at: iso(row.lastTestedAt),
    status_changed_at: row.statusChangedAt.toISOString(),
    allowed_transitions: allowedTransitions[row.status],
    ...derived,
    usage: { sent: row.sentCount, delivered: row.deliveredCount, failed: row.failedCount, last_sent_at: iso(row.lastSentAt) },
    health: await describeBreaker(row),
    created_by: row.createdBy,
    updated_by: row.updatedBy,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
  // The output schema drops anything not declared, so a stray column can never reach a client.
  return providerConfigOutBodies[row.provider].parse(out);
}

// ---------------------------------------------------------------------------------------------
// Credentials

function credentialLabel(provider: ProviderKind, field: string, displayName: string) {
  return `${provider} ${field.replace(/_ref$/, "")} for "${displayName}"`;
}

function credentialError(field: string, message: string) {
  return new ApiError({
    code: "validation_failed",
    message: "The request is invalid",
    details: [{ path: `credentials.${field}`, message, code: "custom" }],
  });
}

/** Provider-specific checks on a credential's value before it is stored (never echoing it). */
function validateCredentialValue(provider: ProviderKind, field: string, value: string, settings: Record<string, unknown>) {
  if (provider === "fcm" && field === "service_account_json_ref") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw credentialError(field, "Paste the whole service account key file (JSON)");
    }
    const sa = parsed as Record<string, unknown>;
    const missing = ["type", "project_id", "private_key", "client_email"].filter((k) => typeof sa?.[k] !== "string" || !sa[k]);
    if (missing.length > 0 || sa.type !== "service_account") {
      throw credentialError(field, `Not a service account key file (missing ${missing.join(", ") || "type=service_account"})`);
    }
    if (typeof settings.project_id === "string" && sa.project_id !== settings.project_id) {
      throw credentialError(field, `The key belongs to project ${String(sa.project_id)}, not ${settings.project_id}`);
    }
  }
  if (provider === "twilio" && field === "account_sid_ref" && !/^AC[0-9a-fA-F]{32}$/.test(value)) {
    throw credentialError(field, "A Twilio account SID is AC followed by 32 hex characters");
  }
}

async function writeCredential(
  tx: DbOrTx,
  ctx: TenantContext,
  args: { provider: ProviderKind; field: string; input: CredentialInput; currentRef?: string; displayName: string; settings: Record<string, unknown> },
): Promise<{ ref: string; change: "stored" | "rotated" | "ref" }> {
  const { input, field } = args;
  if (typeof input === "object" && "ref" in input) {
    const parsed = parseRef(input.ref);
    if (parsed?.kind === "env" && !isEnvRefAllowed(parsed.name)) {
      throw credentialError(field, `Environment variable ${parsed.name} may not be used for credentials (see HERALD_ENV_REF_ALLOW)`);
    }
    if (!(await refExists(tx, ctx.tenantId, input.ref))) throw credentialError(field, "No such stored secret in this tenant");
    const ref = parsed?.kind === "secret" ? `secret:${parsed.id}` : input.ref;
    return { ref, change: "ref" };
  }
  const value = typeof input === "string" ? input : input.value;
  validateCredentialValue(args.provider, field, value, args.settings);
  if (args.currentRef && parseRef(args.currentRef)?.kind === "secret") {
    await rotateSecret(tx, { tenantId: ctx.tenantId, ref: args.currentRef, value, rotatedBy: actorUserId(ctx.actor) });
    return { ref: args.currentRef, change: "rotated" };
  }
  const created = await createSecret(tx, {
    tenantId: ctx.tenantId,
    label: credentialLabel(args.provider, field, args.displayName),
    value,
    createdBy: actorUserId(ctx.actor),
  });
  return { ref: created.ref, change: "stored" };
}

function splitBody(provider: ProviderKind, body: Record<string, unknown>) {
  const settingKeys = Object.keys(providerDefinitions[provider].settings);
  const settings: Record<string, unknown> = {};
  for (const k of settingKeys) if (k in body && body[k] !== undefined) settings[k] = body[k];
  return settings;
}

function secretStoreFailure(err: unknown): never {
  if (err instanceof SecretStoreError) {
    throw new ApiError({ code: "service_unavailable", message: `The secret store is unavailable: ${err.message}`, cause: err });
  }
  throw err;
}

// ---------------------------------------------------------------------------------------------
// Service

export async function createConfig(ctx: TenantContext, input: CreateConfigInput): Promise<ProviderConfigOut> {
  const body = createConfigBodies[input.provider].parse(input) as CreateConfigInput;
  const provider = body.provider;
  const settings = splitBody(provider, body);
  const id = randomUUID();
  const db = getDb();
  return db
    .transaction(async (tx) => {
      const credentials: Record<string, string> = {};
      const changes: Record<string, string> = {};
      for (const field of credentialFields(provider)) {
        const value = body.credentials[field];
        if (value === undefined) continue;
        const written = await writeCredential(tx, ctx, { provider, field, input: value, displayName: body.display_name, settings });
        credentials[field] = written.ref;
        changes[field] = written.change;
      }
      let callbackTokenRef: string | null = null;
      if (providerDefinitions[provider].derived.includes("dlr_callback_url" as never)) {
        const token = await createSecret(tx, {
          tenantId: ctx.tenantId,
          label: `${provider} callback token for "${body.display_name}"`,
          value: randomBytes(24).toString("base64url"),
          createdBy: actorUserId(ctx.actor),
        });
        callbackTokenRef = token.ref;
      }
      const row = await insertProviderConfig(tx, {
        id,
        tenantId: ctx.tenantId,
        provider,
        displayName: body.display_name,
        status: "draft",
        settings,
        credentials,
        apiBaseUrl: body.api_base_url ?? null,
        monthlyQuota: body.monthly_quota ?? null,
        callbackTokenRef,
        createdBy: actorUserId(ctx.actor),
        updatedBy: actorUserId(ctx.actor),
      });
      await recordAudit(tx, ctx, {
        action: "provider_config.created",
        targetType: "provider_config",
        targetId: row.id,
        details: { provider, display_name: row.displayName, settings, credentials: changes, api_base_url: row.apiBaseUrl },
      });
      return toOut(tx, row);
    })
    .catch(secretStoreFailure);
}

async function loadConfig(db: DbOrTx, ctx: TenantContext, id: string, provider?: ProviderKind) {
  const row = await findProviderConfig(db, { tenantId: ctx.tenantId, id, provider });
  if (!row) throw ApiError.notFound("Provider config");
  return row;
}

export async function getConfig(ctx: TenantContext, id: string, opts: { provider?: ProviderKind } = {}): Promise<ProviderConfigOut> {
  const db = getDb();
  return toOut(db, await loadConfig(db, ctx, id, opts.provider)).catch(secretStoreFailure);
}

function encodeCursor(row: { id: string }) {
  return Buffer.from(row.id).toString("base64url");
}

function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, "base64url").toString("utf8");
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
    throw new ApiError({
      code: "validation_failed",
      message: "The query string is invalid",
      details: [{ path: "cursor", message: "Unknown cursor: use next_cursor from a previous page", code: "custom" }],
    });
  }
  return id;
}

export async function listConfigs(
  ctx: TenantContext,
  q: { provider?: ProviderKind; status?: ProviderConfigStatus; cursor?: string; limit?: number } = {},
): Promise<ProviderConfigListOut> {
  const limit = q.limit ?? 50;
  const db = getDb();
  const rows = await listProviderConfigs(db, {
    tenantId: ctx.tenantId,
    provider: q.provider,
    status: q.status,
    afterId: q.cursor ? decodeCursor(q.cursor) : undefined,
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const data = await Promise.all(page.map((r) => toOut(db, r))).catch(secretStoreFailure);
  const last = page.at(-1);
  return { data, next_cursor: rows.length > limit && last ? encodeCursor(last) : null };
}

export async function updateConfig(
  ctx: TenantContext,
  id: string,
  input: PatchConfigInput,
  opts: { provider?: ProviderKind } = {},
): Promise<ProviderConfigOut> {
  const db = getDb();
  return db
    .transaction(async (tx) => {
      const current = await lockProviderConfig(tx, { tenantId: ctx.tenantId, id });
      if (!current || (opts.provider && current.provider !== opts.provider)) throw ApiError.notFound("Provider config");
      if (current.status === "decommissioned") {
        throw ApiError.conflict("A decommissioned config is read-only", { status: current.status, allowed: [] });
      }
      const provider = current.provider;
      const body = patchConfigBodies[provider].parse(input) as PatchConfigInput;
      const settingsPatch = splitBody(provider, body as Record<string, unknown>);
      // Merge, then re-validate the whole: cross-field rules (e.g. FCM key vs project) see the result.
      const settings = settingsSchema(provider).parse({ ...current.settings, ...settingsPatch }) as Record<string, unknown>;
      const displayName = body.display_name ?? current.displayName;
      const credentials = { ...current.credentials };
      const credentialChanges: Record<string, string> = {};
      for (const [field, value] of Object.entries(body.credentials ?? {})) {
        if (value === undefined) continue;
        const written = await writeCredential(tx, ctx, { provider, field, input: value, currentRef: current.credentials[field], displayName, settings });
        credentials[field] = written.ref;
        credentialChanges[field] = written.change;
      }
      const changedSettings = Object.keys(settingsPatch).filter((k) => JSON.stringify(current.settings[k]) !== JSON.stringify(settings[k]));
      const row = await updateProviderConfig(tx, {
        tenantId: ctx.tenantId,
        id,
        values: {
          displayName,
          settings,
          credentials,
          apiBaseUrl: body.api_base_url !== undefined ? body.api_base_url : current.apiBaseUrl,
          monthlyQuota: body.monthly_quota !== undefined ? body.monthly_quota : current.monthlyQuota,
          updatedBy: actorUserId(ctx.actor),
        },
      });
      await recordAudit(tx, ctx, {
        action: "provider_config.updated",
        targetType: "provider_config",
        targetId: id,
        details: {
          provider,
          changed: [
            ...(body.display_name !== undefined ? ["display_name"] : []),
            ...(body.api_base_url !== undefined ? ["api_base_url"] : []),
            ...(body.monthly_quota !== undefined ? ["monthly_quota"] : []),
            ...changedSettings,
          ],
          credentials: credentialChanges,
        },
      });
      return toOut(tx, row!);
    })
    .catch(secretStoreFailure);
}

/** Every ref resolves (stored secret present, env var allowed and set); else the missing fields. */
async function unresolvableCredentials(db: DbOrTx, row: ProviderConfig): Promise<string[]> {
  const meta = await describeRefs(db, row.tenantId, Object.values(row.credentials));
  const required = Object.entries(providerDefinitions[row.provider].credentials as Record<string, { optional?: boolean }>)
    .filter(([, m]) => !m.optional)
    .map(([k]) => k);
  return required.filter((field) => {
    const ref = row.credentials[field];
    return !ref || !meta.get(ref)?.set;
  });
}

export async function transitionConfig(
  ctx: TenantContext,
  id: string,
  to: TransitionTarget,
  opts: { provider?: ProviderKind } = {},
): Promise<ProviderConfigOut> {
  const db = getDb();
  return db.transaction(async (tx) => {
    const current = await lockProviderConfig(tx, { tenantId: ctx.tenantId, id });
    if (!current || (opts.provider && current.provider !== opts.provider)) throw ApiError.notFound("Provider config");
    if (!allowedTransitions[current.status].includes(to)) throw illegalTransition(current.status, to);
    if (to === "active") {
      const missing = await unresolvableCredentials(tx, current);
      if (missing.length > 0) {
        throw new ApiError({
          code: "conflict",
          message: `Set these credentials before activating: ${missing.join(", ")}`,
          details: { from: current.status, to, allowed: allowedTransitions[current.status], missing_credentials: missing },
        });
      }
    }
    const row = await transitionProviderConfig(tx, {
      tenantId: ctx.tenantId,
      id,
      from: [current.status],
      to,
      values: { updatedBy: actorUserId(ctx.actor) },
    });
    if (!row) throw illegalTransition(current.status, to);
    await recordAudit(tx, ctx, {
      action: to === "decommissioned" ? "provider_config.decommissioned" : "provider_config.transitioned",
      targetType: "provider_config",
      targetId: id,
      details: { provider: current.provider, from: current.status, to },
    });
    return toOut(tx, row);
  });
}

/** DELETE: decommission (terminal; the row and its history stay). */
export async function decommissionConfig(ctx: TenantContext, id: string, opts: { provider?: ProviderKind } = {}) {
  return transitionConfig(ctx, id, "decommissioned", opts);
}

const statusAfterTest: Record<CheckOutcome | "credentials_missing", (s: ProviderConfigStatus) => ProviderConfigStatus> = {
  ok: (s) => (s === "draft" || s === "error" ? "active" : s),
  auth: () => "error",
  rejected: () => "error",
  credentials_missing: () => "error",
  unreachable: (s) => s,
  provider_error: (s) => s,
};

/**
 * Authenticates against the provider with the config's credentials. Pass → active (from draft
 * or error; a paused config stays paused) with last_error cleared; rejected credentials → error
 * with the provider's message; an unreachable or failing provider records the message only.
 */
export async function testConfig(ctx: TenantContext, id: string, opts: { provider?: ProviderKind } = {}): Promise<TestResultOut> {
  const db = getDb();
  const row = await loadConfig(db, ctx, id, opts.provider);
  if (row.status === "decommissioned") throw illegalTransition(row.status, "test");
  const started = performance.now();
  let outcome: CheckOutcome | "credentials_missing";
  let message: string;
  let httpStatus: number | null = null;
  let credentials: ResolvedCredentials | undefined;
  try {
    credentials = await resolveCredentials(row as ProviderConfigRecord);
  } catch (err) {
    if (!(err instanceof SecretStoreError)) throw err;
    outcome = "credentials_missing";
    message = err.message;
  }
  if (credentials) {
    const result = await checkProviderCredentials({
      provider: row.provider,
      configId: row.id,
      settings: row.settings,
      credentials,
      apiBaseUrl: row.apiBaseUrl,
    });
    outcome = result.outcome;
    message = result.message;
    httpStatus = result.httpStatus;
  }
  const latencyMs = Math.round(performance.now() - started);
  const updated = await db.transaction(async (tx) => {
    const current = await lockProviderConfig(tx, { tenantId: ctx.tenantId, id });
    if (!current) throw ApiError.notFound("Provider config");
    if (current.status === "decommissioned") throw illegalTransition(current.status, "test");
    const next = statusAfterTest[outcome!](current.status);
    const values = {
      lastError: outcome! === "ok" ? null : message!,
      lastTestedAt: new Date(),
      updatedBy: actorUserId(ctx.actor),
    };
    const saved =
      next !== current.status
        ? await transitionProviderConfig(tx, { tenantId: ctx.tenantId, id, from: [current.status], to: next, values })
        : await updateProviderConfig(tx, { tenantId: ctx.tenantId, id, values });
    await recordAudit(tx, ctx, {
      action: "provider_config.tested",
      targetType: "provider_config",
      targetId: id,
      details: { provider: current.provider, outcome: outcome!, http_status: httpStatus, from: current.status, to: next, message: message! },
    });
    return toOut(tx, saved!);
  });
  return { ok: outcome! === "ok", outcome: outcome!, message: message!, http_status: httpStatus, latency_ms: latencyMs, config: updated };
}

// ---------------------------------------------------------------------------------------------
// For the messaging engine and webhooks (server-only, no TenantContext: the caller already has the tenant)

/** The configs that may send now: status active only. Oldest first, so routing is stable. */
export async function listActiveConfigs(tenantId: string, provider?: ProviderKind): Promise<ProviderConfigRecord[]> {
  const rows = await listProviderConfigs(getDb(), { tenantId, provider, status: "active", limit: 1000 });
  return rows.map(typedRecord);
}

/** One config of a tenant, typed (any status), or undefined. */
export async function findConfigRecord(tenantId: string, id: string): Promise<ProviderConfigRecord | undefined> {
  const row = await findProviderConfig(getDb(), { tenantId, id });
  return row ? typedRecord(row) : undefined;
}

function typedRecord(row: ProviderConfig): ProviderConfigRecord {
  return { ...row, settings: settingsSchema(row.provider).parse(row.settings) } as ProviderConfigRecord;
}

/**
 * The decrypted credential values of a config, keyed by field. Never log, return or persist
 * them. Throws SecretStoreError naming the field (not the value) when a ref cannot be resolved.
 */
export async function resolveCredentials(
  config: Pick<ProviderConfig, "tenantId" | "credentials" | "provider">,
  db: DbOrTx = getDb(),
): Promise<ResolvedCredentials> {
  const out: ResolvedCredentials = {};
  for (const [field, ref] of Object.entries(config.credentials)) {
    try {
      out[field] = await resolveSecretRef(db, config.tenantId, ref);
    } catch (err) {
      if (err instanceof SecretStoreError) throw new SecretStoreError(`${field}: ${err.message}`, { cause: err });
      throw err;
    }
  }
  return out;
}

/**
 * Herald saw the provider reject this config's credentials (e.g. a 401 on send): move it to
 * `error` so it stops sending, and keep the provider's message. No-op on decommissioned configs.
 */
export async function markConfigError(tenantId: string, id: string, message: string): Promise<boolean> {
  const db = getDb();
  return db.transaction(async (tx) => {
    const current = await lockProviderConfig(tx, { tenantId, id });
    if (!current || current.status === "decommissioned") return false;
    const lastError = message.slice(0, 500);
    const row =
      current.status === "error"
        ? await updateProviderConfig(tx, { tenantId, id, values: { lastError } })
        : await transitionProviderConfig(tx, { tenantId, id, from: [current.status], to: "error", values: { lastError } });
    const ctx: TenantContext = { tenantId, tenantSlug: "", actor: { type: "system", label: "herald" }, requestId: `sys_${randomUUID()}` };
    await recordAudit(tx, ctx, {
      action: "provider_config.error",
      targetType: "provider_config",
      targetId: id,
      details: { provider: current.provider, from: current.status, message: lastError },
    });
    logger.warn({ configId: id, provider: current.provider, from: current.status }, "provider config moved to error");
    return row !== undefined;
  });
}

/** For provider webhook routes, which know only the config id from the path. */
export async function findConfigForWebhook(provider: ProviderKind, id: string): Promise<ProviderConfigRecord | undefined> {
  const row = await findProviderConfigForWebhook(getDb(), { id, provider });
  return row ? typedRecord(row) : undefined;
}

/** Checks the `?token=` of a 46elks/Infobip callback against the config's token, in constant time. */
export async function verifyCallbackToken(config: Pick<ProviderConfig, "tenantId" | "callbackTokenRef">, token: string | null): Promise<boolean> {
  if (!config.callbackTokenRef || !token) return false;
  const expected = Buffer.from(await resolveSecretRef(getDb(), config.tenantId, config.callbackTokenRef));
  const given = Buffer.from(token);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
