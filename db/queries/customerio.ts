import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { DbOrTx } from "../index";
import {
  contacts,
  contactSchools,
  contactSubscriptions,
  customerioIntegrations,
  customerioSyncState,
  schools,
  type CustomerioEntityKind,
  type CustomerioIntegration,
} from "../schema";

type IntegrationValues = Partial<Omit<CustomerioIntegration, "id" | "tenantId" | "createdAt" | "updatedAt">>;

export async function findCustomerioIntegration(db: DbOrTx, { tenantId }: { tenantId: string }) {
  const [row] = await db.select().from(customerioIntegrations).where(eq(customerioIntegrations.tenantId, tenantId));
  return row;
}

export async function insertCustomerioIntegration(
  db: DbOrTx,
  { tenantId, values }: { tenantId: string; values: IntegrationValues & Pick<CustomerioIntegration, "siteIdRef" | "apiKeyRef"> },
) {
  const [row] = await db.insert(customerioIntegrations).values({ ...values, tenantId }).onConflictDoNothing().returning();
  return row;
}

export async function updateCustomerioIntegration(db: DbOrTx, { tenantId, id, values }: { tenantId: string; id: string; values: IntegrationValues }) {
  const [row] = await db
    .update(customerioIntegrations)
    .set({ ...values, updatedAt: new Date() })
    .where(and(eq(customerioIntegrations.tenantId, tenantId), eq(customerioIntegrations.id, id)))
    .returning();
  return row;
}

export async function addCustomerioResyncTotal(db: DbOrTx, { tenantId, id, count }: { tenantId: string; id: string; count: number }) {
  await db
    .update(customerioIntegrations)
    .set({ resyncTotal: sql`coalesce(${customerioIntegrations.resyncTotal}, 0) + ${count}` })
    .where(and(eq(customerioIntegrations.tenantId, tenantId), eq(customerioIntegrations.id, id)));
}

/** A run starts: changes committed from now on queue a new one. */
export async function clearCustomerioKick(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }) {
  await db
    .update(customerioIntegrations)
    .set({ kickPending: false })
    .where(and(eq(customerioIntegrations.tenantId, tenantId), eq(customerioIntegrations.id, id), eq(customerioIntegrations.kickPending, true)));
}

export interface ClaimedRow {
  entity: CustomerioEntityKind;
  entityId: string;
  claimedVersion: number;
  cioId: string | null;
  syncedRelations: string[] | null;
  syncedHash: string | null;
  attempts: number;
}

/**
 * Claims due pending rows for `leaseMs` (SKIP LOCKED: concurrent runs take disjoint rows; a run
 * that died gives its rows back when the lease ends). People come before objects, so a school's
 * related people exist in Customer.io before the relationships name them.
 */
export async function claimCustomerioRows(db: DbOrTx, { integrationId, limit, leaseMs }: { integrationId: string; limit: number; leaseMs: number }): Promise<ClaimedRow[]> {
  const rows = await db.execute<{ entity: CustomerioEntityKind; entity_id: string; claimed_version: string; cio_id: string | null; synced_relations: string[] | null; synced_hash: string | null; attempts: number }>(sql`
    with due as (
      select integration_id, entity, entity_id from customerio_sync_state
      where integration_id = ${integrationId} and status = 'pending' and next_attempt_at <= now()
        and (claimed_until is null or claimed_until < now())
      order by entity desc nulls last, next_attempt_at
      limit ${limit}
      for update skip locked
    )
    update customerio_sync_state s
    set claimed_until = now() + ${`${leaseMs} milliseconds`}::interval, claimed_version = s.version
    from due
    where s.integration_id = due.integration_id and s.entity = due.entity and s.entity_id = due.entity_id
    returning s.entity, s.entity_id, s.claimed_version, s.cio_id, s.synced_relations, s.synced_hash, s.attempts`);
  return rows.map((r) => ({
    entity: r.entity,
    entityId: r.entity_id,
    claimedVersion: Number(r.claimed_version),
    cioId: r.cio_id,
    syncedRelations: r.synced_relations,
    syncedHash: r.synced_hash,
    attempts: r.attempts,
  }));
}

type RowKey = { entity: CustomerioEntityKind; entityId: string; claimedVersion: number };

export interface SyncedRow extends RowKey {
  status: "synced" | "skipped";
  hash: string | null;
  cioId: string | null;
  relations: string[] | null;
  warning: string | null;
}

/** Records sends (or decisions not to send). A row changed since it was claimed stays pending. */
export async function recordCustomerioSynced(db: DbOrTx, { integrationId, rows }: { integrationId: string; rows: SyncedRow[] }) {
  if (rows.length === 0) return;
  const json = JSON.stringify(
    rows.map((r) => ({ entity: r.entity, entity_id: r.entityId, v: r.claimedVersion, status: r.status, hash: r.hash, cio_id: r.cioId, relations: r.relations, warning: r.warning })),
  );
  await db.execute(sql`
    update customerio_sync_state s
    set synced_version = x.v, synced_hash = x.hash, cio_id = x.cio_id, synced_relations = x.relations, warning = x.warning,
        synced_at = now(), status = case when s.version = x.v then x.status else 'pending' end,
        claimed_until = null, attempts = 0, last_error = null, updated_at = now()
    from jsonb_to_recordset(${json}::jsonb) as x(entity text, entity_id uuid, v bigint, status text, hash text, cio_id text, relations jsonb, warning text)
    where s.integration_id = ${integrationId} and s.entity = x.entity and s.entity_id = x.entity_id`);
}

/** Entities gone from Herald whose delete was sent (or never needed): their rows go, unless they changed since. */
export async function deleteCustomerioRows(db: DbOrTx, { integrationId, rows }: { integrationId: string; rows: RowKey[] }) {
  if (rows.length === 0) return;
  const json = JSON.stringify(rows.map((r) => ({ entity: r.entity, entity_id: r.entityId, v: r.claimedVersion })));
  await db.execute(sql`
    delete from customerio_sync_state s
    using jsonb_to_recordset(${json}::jsonb) as x(entity text, entity_id uuid, v bigint)
    where s.integration_id = ${integrationId} and s.entity = x.entity and s.entity_id = x.entity_id and s.version = x.v`);
  await releaseCustomerioRows(db, { integrationId, rows, error: null, nextAttemptAt: new Date(), countAttempt: false, maxAttempts: 1_000_000 });
}

/**
 * Gives rows back after a failed try: due again at `nextAttemptAt`, or dead-lettered (`failed`)
 * once `maxAttempts` are spent. A row changed since its claim starts over (pending, attempts 0).
 */
export async function releaseCustomerioRows(
  db: DbOrTx,
  { integrationId, rows, error, nextAttemptAt, countAttempt, maxAttempts }: { integrationId: string; rows: RowKey[]; error: string | null; nextAttemptAt: Date; countAttempt: boolean; maxAttempts: number },
) {
  if (rows.length === 0) return;
  const json = JSON.stringify(rows.map((r) => ({ entity: r.entity, entity_id: r.entityId, v: r.claimedVersion })));
  const inc = countAttempt ? 1 : 0;
  await db.execute(sql`
    update customerio_sync_state s
    set claimed_until = null,
        attempts = case when s.version = x.v then s.attempts + ${inc} else 0 end,
        status = case when s.version = x.v and s.attempts + ${inc} >= ${maxAttempts} then 'failed' else 'pending' end,
        next_attempt_at = case when s.version = x.v then ${nextAttemptAt.toISOString()}::timestamptz else now() end,
        last_error = case when s.version = x.v then ${error} else null end,
        updated_at = now()
    from jsonb_to_recordset(${json}::jsonb) as x(entity text, entity_id uuid, v bigint)
    where s.integration_id = ${integrationId} and s.entity = x.entity and s.entity_id = x.entity_id`);
}

/** Dead-letters rows Customer.io refused for good (or Herald refused to send), with the reason. */
export async function failCustomerioRows(db: DbOrTx, { integrationId, rows }: { integrationId: string; rows: (RowKey & { reason: string })[] }) {
  if (rows.length === 0) return;
  const json = JSON.stringify(rows.map((r) => ({ entity: r.entity, entity_id: r.entityId, v: r.claimedVersion, reason: r.reason })));
  await db.execute(sql`
    update customerio_sync_state s
    set claimed_until = null, attempts = s.attempts + 1,
        status = case when s.version = x.v then 'failed' else 'pending' end,
        last_error = case when s.version = x.v then x.reason else null end,
        next_attempt_at = now(), updated_at = now()
    from jsonb_to_recordset(${json}::jsonb) as x(entity text, entity_id uuid, v bigint, reason text)
    where s.integration_id = ${integrationId} and s.entity = x.entity and s.entity_id = x.entity_id`);
}

export async function countCustomerioRows(db: DbOrTx, { integrationId }: { integrationId: string }) {
  const rows = await db
    .select({ status: customerioSyncState.status, n: sql<number>`count(*)::int` })
    .from(customerioSyncState)
    .where(eq(customerioSyncState.integrationId, integrationId))
    .groupBy(customerioSyncState.status);
  const out = { synced: 0, pending: 0, failed: 0, skipped: 0 };
  for (const r of rows) out[r.status] = r.n;
  return out;
}

/** Pending rows touched since `since` (a resync's progress: what it marked and is not sent yet). */
export async function countCustomerioPendingSince(db: DbOrTx, { integrationId, since }: { integrationId: string; since: Date }) {
  const [row] = await db.execute<{ n: number }>(sql`
    select count(*)::int as n from customerio_sync_state
    where integration_id = ${integrationId} and status = 'pending' and updated_at >= ${since.toISOString()}::timestamptz`);
  return row?.n ?? 0;
}

export async function listCustomerioFailures(db: DbOrTx, { integrationId, limit }: { integrationId: string; limit: number }) {
  return db
    .select()
    .from(customerioSyncState)
    .where(and(eq(customerioSyncState.integrationId, integrationId), eq(customerioSyncState.status, "failed")))
    .orderBy(sql`${customerioSyncState.updatedAt} desc`)
    .limit(limit);
}

/** Replays dead letters: pending again, attempts reset, the last hash forgotten so they are sent. */
export async function replayCustomerioRows(db: DbOrTx, { integrationId, entityIds }: { integrationId: string; entityIds?: string[] }) {
  const rows = await db
    .update(customerioSyncState)
    .set({ status: "pending", attempts: 0, nextAttemptAt: new Date(), syncedHash: null, lastError: null, updatedAt: new Date() })
    .where(
      and(
        eq(customerioSyncState.integrationId, integrationId),
        eq(customerioSyncState.status, "failed"),
        entityIds ? inArray(customerioSyncState.entityId, entityIds) : undefined,
      ),
    )
    .returning({ entityId: customerioSyncState.entityId });
  return rows.length;
}

/**
 * One page of a full resync: marks the next `limit` contacts or schools (by id) pending with
 * their hash forgotten, so they are sent whatever was sent before. Returns the last id marked.
 */
export async function markCustomerioPage(
  db: DbOrTx,
  { integrationId, tenantId, entity, afterId, limit }: { integrationId: string; tenantId: string; entity: CustomerioEntityKind; afterId: string | null; limit: number },
) {
  const table = entity === "person" ? sql`contacts` : sql`schools`;
  const rows = await db.execute<{ entity_id: string }>(sql`
    insert into customerio_sync_state as s (integration_id, tenant_id, entity, entity_id)
    select ${integrationId}, ${tenantId}, ${entity}, e.id from ${table} e
    where e.tenant_id = ${tenantId} ${afterId ? sql`and e.id > ${afterId}` : sql``}
    order by e.id limit ${limit}
    on conflict (integration_id, entity, entity_id) do update
      set version = s.version + 1, status = 'pending', attempts = 0, next_attempt_at = now(), synced_hash = null,
          last_error = null, updated_at = now()
    returning s.entity_id`);
  if (rows.length === 0) return { count: 0, lastId: null };
  return { count: rows.length, lastId: rows.map((r) => r.entity_id).sort().at(-1)! };
}

/** When the earliest pending row becomes claimable, if any (a retry's delay, another run's lease). */
export async function nextCustomerioDueAt(db: DbOrTx, { integrationId }: { integrationId: string }): Promise<Date | null> {
  const [row] = await db.execute<{ at: string | null }>(sql`
    select min(greatest(next_attempt_at, coalesce(claimed_until, next_attempt_at))) as at
    from customerio_sync_state where integration_id = ${integrationId} and status = 'pending'`);
  return row?.at ? new Date(row.at) : null;
}

/** Active integrations with rows due now: the minute sweep queues a run for each. */
export async function findCustomerioIntegrationsDue(db: DbOrTx, { limit }: { limit: number }) {
  return db.execute<{ id: string; tenant_id: string }>(sql`
    select i.id, i.tenant_id from customerio_integrations i
    where i.status = 'active' and exists (
      select 1 from customerio_sync_state s
      where s.integration_id = i.id and s.status = 'pending' and s.next_attempt_at <= now()
        and (s.claimed_until is null or s.claimed_until < now()))
    limit ${limit}`);
}

// ---- Sources: the latest state of the claimed entities

export async function loadCustomerioPeople(db: DbOrTx, { tenantId, ids }: { tenantId: string; ids: string[] }) {
  if (ids.length === 0) return { contacts: [], unsubscribed: [], roles: [] };
  const [people, unsubscribed, roles] = await Promise.all([
    db.select().from(contacts).where(and(eq(contacts.tenantId, tenantId), inArray(contacts.id, ids))),
    db
      .select({ contactId: contactSubscriptions.contactId, channel: contactSubscriptions.channel })
      .from(contactSubscriptions)
      .where(and(eq(contactSubscriptions.tenantId, tenantId), inArray(contactSubscriptions.contactId, ids), eq(contactSubscriptions.topic, ""), eq(contactSubscriptions.status, "unsubscribed"))),
    db
      .select({ contactId: contactSchools.contactId, role: contactSchools.role })
      .from(contactSchools)
      .where(and(eq(contactSchools.tenantId, tenantId), inArray(contactSchools.contactId, ids))),
  ]);
  return { contacts: people, unsubscribed, roles };
}

export async function loadCustomerioSchools(db: DbOrTx, { tenantId, ids }: { tenantId: string; ids: string[] }) {
  if (ids.length === 0) return { schools: [], related: [] };
  const [rows, related] = await Promise.all([
    db.select().from(schools).where(and(eq(schools.tenantId, tenantId), inArray(schools.id, ids))),
    db
      .select({ schoolId: contactSchools.schoolId, role: contactSchools.role, contactId: contacts.id, externalId: contacts.externalId })
      .from(contactSchools)
      .innerJoin(contacts, eq(contacts.id, contactSchools.contactId))
      .where(and(eq(contactSchools.tenantId, tenantId), inArray(contactSchools.schoolId, ids)))
      .orderBy(asc(contacts.id)),
  ]);
  return { schools: rows, related };
}
