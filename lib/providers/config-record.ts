// A config as the messaging engine and webhooks read it: settings typed by provider, credentials
// decrypted on demand. No TenantContext: the caller already has the tenant.
import { getDb, type DbOrTx } from "@/db";
import { findProviderConfig, findProviderConfigForWebhook, listActiveProviderConfigs, listProviderConfigs } from "@/db/queries/provider-configs";
import type { ProviderConfig, ProviderKind } from "@/db/schema/provider-configs";
import { resolveSecretRef, SecretStoreError } from "@/lib/secrets/store";
import { settingsSchema, type ProviderSettings } from "@/lib/validations/provider-configs";

/** A config row with its settings typed by provider. */
export type ProviderConfigRecord = {
  [P in ProviderKind]: Omit<ProviderConfig, "provider" | "settings"> & { provider: P; settings: ProviderSettings<P> };
}[ProviderKind];

export type ConfigOf<P extends ProviderKind> = Extract<ProviderConfigRecord, { provider: P }>;

/** Decrypted credential values keyed by field (`api_key_ref` → the key). Server-only. */
export type ResolvedCredentials = Record<string, string>;

/** The configs that may send now: status active only. Oldest first, so routing is stable. */
export async function listActiveConfigs(tenantId: string, provider?: ProviderKind): Promise<ProviderConfigRecord[]> {
  const rows = provider
    ? await listProviderConfigs(getDb(), { tenantId, provider, status: "active", limit: 1000 })
    : await listActiveProviderConfigs(getDb(), { tenantId, limit: 1000 });
  return rows.map(typedRecord);
}

/** One config of a tenant, typed (any status), or undefined. */
export async function findConfigRecord(tenantId: string, id: string): Promise<ProviderConfigRecord | undefined> {
  const row = await findProviderConfig(getDb(), { tenantId, id });
  return row ? typedRecord(row) : undefined;
}

export function typedRecord(row: ProviderConfig): ProviderConfigRecord {
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

/** For provider webhook routes, which know only the config id from the path. */
export async function findConfigForWebhook(provider: ProviderKind, id: string): Promise<ProviderConfigRecord | undefined> {
  const row = await findProviderConfigForWebhook(getDb(), { id, provider });
  return row ? typedRecord(row) : undefined;
}
