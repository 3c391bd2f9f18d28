// Provider configs: tenant-scoped create, read, list and update.
import { randomUUID } from "node:crypto";
import { getDb, type DbOrTx } from "@/db";
import { findProviderConfig, insertProviderConfig, listProviderConfigs, lockProviderConfig, updateProviderConfig } from "@/db/queries/provider-configs";
import type { ProviderConfigStatus, ProviderKind } from "@/db/schema/provider-configs";
import { decodeIdCursor, encodeIdCursor } from "@/lib/api/cursor";
import { ApiError } from "@/lib/api/errors";
import { recordAudit } from "@/lib/audit/record-audit";
import { actorUserId, type TenantContext } from "@/lib/tenancy/context";
import {
  createConfigBodies,
  credentialFields,
  patchConfigBodies,
  providerDefinitions,
  settingsSchema,
  type CreateConfigInput,
  type PatchConfigInput,
  type ProviderConfigListOut,
  type ProviderConfigOut,
} from "@/lib/validations/provider-configs";
import { createCallbackToken } from "./callback-urls";
import { secretStoreFailure, writeCredential } from "./config-credentials";
import { assertPublicHosts } from "./config-hosts";
import { toOut } from "./config-output";

function splitBody(provider: ProviderKind, body: Record<string, unknown>) {
  const settingKeys = Object.keys(providerDefinitions[provider].settings);
  const settings: Record<string, unknown> = {};
  for (const k of settingKeys) if (k in body && body[k] !== undefined) settings[k] = body[k];
  return settings;
}


export async function createConfig(ctx: TenantContext, input: CreateConfigInput): Promise<ProviderConfigOut> {
  const body = createConfigBodies[input.provider].parse(input) as CreateConfigInput;
  const provider = body.provider;
  const settings = splitBody(provider, body);
  await assertPublicHosts(provider, body as Record<string, unknown>);
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
      const callbackTokenRef = await createCallbackToken(tx, ctx, { provider, displayName: body.display_name });
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
      return row;
    })
    .then((row) => toOut(db, ctx, row))
    .catch(secretStoreFailure);
}

export async function loadConfig(db: DbOrTx, ctx: TenantContext, id: string, provider?: ProviderKind) {
  const row = await findProviderConfig(db, { tenantId: ctx.tenantId, id, provider });
  if (!row) throw ApiError.notFound("Provider config");
  return row;
}

export async function getConfig(ctx: TenantContext, id: string, opts: { provider?: ProviderKind } = {}): Promise<ProviderConfigOut> {
  const db = getDb();
  return toOut(db, ctx, await loadConfig(db, ctx, id, opts.provider)).catch(secretStoreFailure);
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
    afterId: q.cursor ? decodeIdCursor(q.cursor) : undefined,
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const data = await Promise.all(page.map((r) => toOut(db, ctx, r))).catch(secretStoreFailure);
  const last = page.at(-1);
  return { data, next_cursor: rows.length > limit && last ? encodeIdCursor(last.id) : null };
}

export async function updateConfig(
  ctx: TenantContext,
  id: string,
  input: PatchConfigInput,
  opts: { provider?: ProviderKind } = {},
): Promise<ProviderConfigOut> {
  await assertPublicHosts(opts.provider, input as Record<string, unknown>);
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
      // Merge, then re-validate the whole: cross-field rules (e.g. a key file vs the project setting) see the result.
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
      return row!;
    })
    .then((row) => toOut(db, ctx, row))
    .catch(secretStoreFailure);
}
