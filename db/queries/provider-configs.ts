import { and, asc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { preparedQuery } from "../prepared";
import {
  providerConfigs,
  type NewProviderConfig,
  type ProviderConfig,
  type ProviderConfigStatus,
  type ProviderKind,
} from "../schema";

export async function insertProviderConfig(db: DbOrTx, input: NewProviderConfig & { id: string }) {
  const [row] = await db.insert(providerConfigs).values(input).returning();
  return row!;
}

export async function findProviderConfig(
  db: DbOrTx,
  { tenantId, id, provider }: { tenantId: string; id: string; provider?: ProviderKind },
) {
  return db.query.providerConfigs.findFirst({
    where: and(
      eq(providerConfigs.tenantId, tenantId),
      eq(providerConfigs.id, id),
      provider ? eq(providerConfigs.provider, provider) : undefined,
    ),
  });
}

/** Row lock for read-modify-write changes (status transitions, tests) inside a transaction. */
export async function lockProviderConfig(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }) {
  const [row] = await db
    .select()
    .from(providerConfigs)
    .where(and(eq(providerConfigs.tenantId, tenantId), eq(providerConfigs.id, id)))
    .for("update");
  return row;
}

/**
 * Provider webhooks arrive with only a config id in the path; the tenant comes from the row.
 * Nothing else may look a config up without a tenant id.
 */
export async function findProviderConfigForWebhook(db: DbOrTx, { id, provider }: { id: string; provider: ProviderKind }) {
  return db.query.providerConfigs.findFirst({
    where: and(eq(providerConfigs.id, id), eq(providerConfigs.provider, provider)),
  });
}

/** Keyset page ordered by (created_at, id). */
const activeProviderConfigs = preparedQuery((db) =>
  db
    .select()
    .from(providerConfigs)
    .where(and(eq(providerConfigs.tenantId, sql.placeholder("tenantId")), eq(providerConfigs.status, "active")))
    .orderBy(asc(providerConfigs.createdAt), asc(providerConfigs.id))
    .limit(sql.placeholder("limit"))
    .prepare("list_active_provider_configs"),
);

/** A tenant's active configs, as `listProviderConfigs` orders them (prepared: every send routes on them). */
export async function listActiveProviderConfigs(db: DbOrTx, { tenantId, limit }: { tenantId: string; limit: number }) {
  return activeProviderConfigs(db).execute({ tenantId, limit });
}

export async function listProviderConfigs(
  db: DbOrTx,
  {
    tenantId,
    provider,
    status,
    afterId,
    limit,
  }: {
    tenantId: string;
    provider?: ProviderKind;
    status?: ProviderConfigStatus;
    /** Id of the last row of the previous page. */
    afterId?: string;
    limit: number;
  },
) {
  const conditions: (SQL | undefined)[] = [
    eq(providerConfigs.tenantId, tenantId),
    provider ? eq(providerConfigs.provider, provider) : undefined,
    status ? eq(providerConfigs.status, status) : undefined,
    // Row comparison against the cursor row itself: created_at has microseconds that a JS Date would lose.
    afterId
      ? sql`(${providerConfigs.createdAt}, ${providerConfigs.id}) > (select c.created_at, c.id from provider_configs c where c.id = ${afterId} and c.tenant_id = ${tenantId})`
      : undefined,
  ];
  return db
    .select()
    .from(providerConfigs)
    .where(and(...conditions))
    .orderBy(asc(providerConfigs.createdAt), asc(providerConfigs.id))
    .limit(limit);
}

export async function updateProviderConfig(
  db: DbOrTx,
  { tenantId, id, values }: { tenantId: string; id: string; values: Partial<Omit<ProviderConfig, "id" | "tenantId" | "provider">> },
) {
  const [row] = await db
    .update(providerConfigs)
    .set(values)
    .where(and(eq(providerConfigs.tenantId, tenantId), eq(providerConfigs.id, id)))
    .returning();
  return row;
}

/**
 * Moves a config to `to` only if it is still in one of `from`: the check and the write are one
 * statement, so two concurrent transitions can't both win.
 */
export async function transitionProviderConfig(
  db: DbOrTx,
  {
    tenantId,
    id,
    from,
    to,
    values,
  }: {
    tenantId: string;
    id: string;
    from: ProviderConfigStatus[];
    to: ProviderConfigStatus;
    values?: Partial<Pick<ProviderConfig, "lastError" | "lastTestedAt" | "updatedBy">>;
  },
) {
  const [row] = await db
    .update(providerConfigs)
    .set({ ...values, status: to, statusChangedAt: sql`now()` })
    .where(
      and(
        eq(providerConfigs.tenantId, tenantId),
        eq(providerConfigs.id, id),
        inArray(providerConfigs.status, from),
      ),
    )
    .returning();
  return row;
}

/**
 * Notes that a verified webhook arrived. Written at most once a minute per config, so a busy
 * webhook stream does not queue on the config row.
 */
export async function touchProviderConfigLastEvent(db: DbOrTx, { tenantId, id, at }: { tenantId: string; id: string; at: Date }) {
  await db
    .update(providerConfigs)
    .set({ lastEventAt: at })
    .where(
      and(
        eq(providerConfigs.tenantId, tenantId),
        eq(providerConfigs.id, id),
        sql`(${providerConfigs.lastEventAt} is null or ${providerConfigs.lastEventAt} < ${at.toISOString()}::timestamptz - interval '1 minute')`,
      ),
    );
}

/**
 * Whose config an id is, whatever provider path named it: a refused webhook is shown to the
 * tenant that owns the id (a provider posting to the wrong path is exactly what it must see).
 */
export async function findProviderConfigOwner(db: DbOrTx, { id }: { id: string }) {
  const [row] = await db
    .select({ id: providerConfigs.id, tenantId: providerConfigs.tenantId, provider: providerConfigs.provider })
    .from(providerConfigs)
    .where(eq(providerConfigs.id, id))
    .limit(1);
  return row;
}
