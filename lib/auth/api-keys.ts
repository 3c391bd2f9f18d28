import { createHash, randomBytes } from "node:crypto";
import { BoundedMap } from "@/lib/bounded-map";
import { getDb } from "@/db";
import {
  findActiveApiKeyByHash,
  findApiKey,
  insertApiKey,
  listApiKeys as listApiKeyRows,
  revokeApiKey as revokeApiKeyRow,
} from "@/db/queries/api-keys";
import { recordAudit } from "@/lib/audit/record-audit";
import { ApiError } from "@/lib/api/errors";
import { emitEvent } from "@/lib/jobs/emit";
import { logger } from "@/lib/logger";
import { actorUserId, type TenantContext } from "@/lib/tenancy/context";
import { isScope, type Scope } from "./permissions";

const KEY_PREFIX = "hk_";

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

function generateKey(): { key: string; prefix: string } {
  const key = KEY_PREFIX + randomBytes(32).toString("base64url");
  return { key, prefix: key.slice(0, KEY_PREFIX.length + 8) };
}

export interface CreatedApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  createdAt: Date;
  /** The only time the full key exists outside the caller's hands. */
  key: string;
}

export async function createApiKey(ctx: TenantContext, input: { name: string; scopes: Scope[] }): Promise<CreatedApiKey> {
  const { key, prefix } = generateKey();
  return getDb().transaction(async (tx) => {
    const row = await insertApiKey(tx, {
      tenantId: ctx.tenantId,
      name: input.name,
      prefix,
      keyHash: hashApiKey(key),
      scopes: input.scopes,
      createdBy: actorUserId(ctx.actor),
    });
    await recordAudit(tx, ctx, {
      action: "api_key.created",
      targetType: "api_key",
      targetId: row.id,
      details: { name: row.name, prefix, scopes: input.scopes },
    });
    return { id: row.id, name: row.name, prefix, scopes: input.scopes, createdAt: row.createdAt, key };
  });
}

export async function listApiKeys(ctx: TenantContext) {
  const rows = await listApiKeyRows(getDb(), { tenantId: ctx.tenantId });
  return rows.map((r) => ({ ...r, scopes: r.scopes.filter(isScope), status: r.revokedAt ? "revoked" : "active" }));
}

export async function getApiKey(ctx: TenantContext, id: string) {
  const row = await findApiKey(getDb(), { tenantId: ctx.tenantId, id });
  if (!row) throw ApiError.notFound("API key");
  return row;
}

export async function revokeApiKey(ctx: TenantContext, id: string): Promise<void> {
  await getDb().transaction(async (tx) => {
    const existing = await findApiKey(tx, { tenantId: ctx.tenantId, id });
    if (!existing) throw ApiError.notFound("API key");
    // Revoking twice is not an error: the key is revoked either way.
    const row = await revokeApiKeyRow(tx, { tenantId: ctx.tenantId, id, revokedBy: actorUserId(ctx.actor) });
    if (!row) return;
    await recordAudit(tx, ctx, {
      action: "api_key.revoked",
      targetType: "api_key",
      targetId: id,
      details: { name: row.name, prefix: row.prefix },
    });
  });
}

export interface AuthenticatedKey {
  id: string;
  name: string;
  tenantId: string;
  tenantSlug: string;
  scopes: Scope[];
  /** The key's listed prefix (`hk_` + 8 characters): names it in logs and reports without revealing it. */
  prefix: string;
}

// Per process: record "last used" at most once a minute per key, so busy keys don't flood the outbox.
// Keyed by authenticated ids, but bounded anyway: ids come and go with rotation.
const lastRecorded = new BoundedMap<string, number>(10_000);
const USAGE_RECORD_INTERVAL_MS = 60_000;

export async function authenticateApiKey(rawKey: string): Promise<AuthenticatedKey | null> {
  if (!rawKey.startsWith(KEY_PREFIX) || rawKey.length > 200) return null;
  const db = getDb();
  const row = await findActiveApiKeyByHash(db, { keyHash: hashApiKey(rawKey) });
  if (!row) return null;
  const now = Date.now();
  if ((lastRecorded.get(row.id) ?? 0) + USAGE_RECORD_INTERVAL_MS < now) {
    lastRecorded.set(row.id, now);
    emitEvent(
      "herald/api-key.used",
      { tenantId: row.tenantId, apiKeyId: row.id, usedAt: new Date(now).toISOString() },
      { tenantId: row.tenantId },
    ).catch((err) => logger.warn({ err }, "could not record API key usage"));
  }
  return { id: row.id, name: row.name, tenantId: row.tenantId, tenantSlug: row.tenantSlug, scopes: row.scopes.filter(isScope), prefix: rawKey.slice(0, KEY_PREFIX.length + 8) };
}
