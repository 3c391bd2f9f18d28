import { and, desc, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { preparedQuery } from "../prepared";
import { UNPAGED_LIST_LIMIT } from "./list-limits";
import { apiKeys, tenants, users } from "../schema";

export async function insertApiKey(
  db: DbOrTx,
  input: { tenantId: string; name: string; prefix: string; keyHash: string; scopes: string[]; createdBy: string | null },
) {
  const [row] = await db.insert(apiKeys).values(input).returning();
  return row!;
}

const activeApiKeyByHash = preparedQuery((db) =>
  db
    .select({ id: apiKeys.id, name: apiKeys.name, tenantId: apiKeys.tenantId, scopes: apiKeys.scopes, tenantSlug: tenants.slug })
    .from(apiKeys)
    .innerJoin(tenants, eq(tenants.id, apiKeys.tenantId))
    .where(and(eq(apiKeys.keyHash, sql.placeholder("keyHash")), isNull(apiKeys.revokedAt)))
    .prepare("find_active_api_key_by_hash"),
);

/**
 * Lookup by hash for authentication, with the key's tenant (one round trip on every API call,
 * prepared). Read on every request, never cached: a key revoked through any process is refused
 * by every process on its next request.
 */
export async function findActiveApiKeyByHash(db: DbOrTx, { keyHash }: { keyHash: string }) {
  const [row] = await activeApiKeyByHash(db).execute({ keyHash });
  return row;
}

export async function listApiKeys(db: DbOrTx, { tenantId }: { tenantId: string }) {
  return db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      scopes: apiKeys.scopes,
      createdAt: apiKeys.createdAt,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
      createdByEmail: users.email,
    })
    .from(apiKeys)
    .leftJoin(users, eq(users.id, apiKeys.createdBy))
    .where(eq(apiKeys.tenantId, tenantId))
    .orderBy(desc(apiKeys.createdAt))
    .limit(UNPAGED_LIST_LIMIT);
}

export async function findApiKey(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }) {
  return db.query.apiKeys.findFirst({ where: and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, id)) });
}

export async function revokeApiKey(
  db: DbOrTx,
  { tenantId, id, revokedBy }: { tenantId: string; id: string; revokedBy: string | null },
) {
  const [row] = await db
    .update(apiKeys)
    .set({ revokedAt: new Date(), revokedBy })
    .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning();
  return row;
}

/** Only moves last_used_at forward, so out-of-order usage jobs can't rewind it. */
export async function markApiKeyUsed(db: DbOrTx, { tenantId, id, usedAt }: { tenantId: string; id: string; usedAt: Date }) {
  const [row] = await db
    .update(apiKeys)
    .set({ lastUsedAt: usedAt })
    .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, usedAt))))
    .returning({ id: apiKeys.id });
  return row !== undefined;
}
