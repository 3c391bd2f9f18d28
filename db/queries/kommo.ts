// Kommo → Unisender integration rows: the integration (lifecycle, token claim, sync cursor), the
// contact mirror, webhook deliveries in arrival order, and the per-request log.
import { and, asc, desc, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import type { DbOrTx } from "../index";
import {
  kommoContacts,
  kommoIntegrations,
  kommoRequestLog,
  kommoWebhookDeliveries,
  type IntegrationRequestService,
  type KommoIntegration,
} from "../schema";

type NewIntegration = typeof kommoIntegrations.$inferInsert;

export async function insertKommoIntegration(db: DbOrTx, input: NewIntegration & { id: string }): Promise<KommoIntegration | undefined> {
  const [row] = await db.insert(kommoIntegrations).values(input).onConflictDoNothing().returning();
  return row;
}

export async function findKommoIntegration(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }) {
  const [row] = await db.select().from(kommoIntegrations).where(and(eq(kommoIntegrations.tenantId, tenantId), eq(kommoIntegrations.id, id)));
  return row;
}

export async function findKommoIntegrationByWebhookHash(db: DbOrTx, { hash }: { hash: string }) {
  const [row] = await db.select().from(kommoIntegrations).where(eq(kommoIntegrations.webhookTokenHash, hash));
  return row;
}

export async function listKommoIntegrations(db: DbOrTx, { tenantId }: { tenantId: string }) {
  return db.select().from(kommoIntegrations).where(eq(kommoIntegrations.tenantId, tenantId)).orderBy(asc(kommoIntegrations.createdAt));
}

export async function updateKommoIntegration(
  db: DbOrTx,
  { tenantId, id, patch }: { tenantId: string; id: string; patch: Partial<Omit<NewIntegration, "id" | "tenantId">> },
) {
  const [row] = await db
    .update(kommoIntegrations)
    .set(patch)
    .where(and(eq(kommoIntegrations.tenantId, tenantId), eq(kommoIntegrations.id, id)))
    .returning();
  return row;
}

/** Redeems the OAuth state nonce once: only the first caller with the current nonce gets the row. */
export async function redeemKommoOauthState(db: DbOrTx, { id, nonce }: { id: string; nonce: string }) {
  const [row] = await db
    .update(kommoIntegrations)
    .set({ oauthStateNonce: null })
    .where(and(eq(kommoIntegrations.id, id), eq(kommoIntegrations.oauthStateNonce, nonce)))
    .returning();
  return row;
}

/**
 * Claims the right to refresh the tokens of `version`: one claimant at a time (a lease, so a dead
 * one's claim lapses), and none once the version moved on (someone else already rotated).
 */
export async function claimKommoRefresh(db: DbOrTx, { tenantId, id, version, leaseMs }: { tenantId: string; id: string; version: number; leaseMs: number }) {
  const [row] = await db
    .update(kommoIntegrations)
    .set({ refreshClaimedUntil: sql`now() + ${leaseMs} * interval '1 millisecond'` })
    .where(
      and(
        eq(kommoIntegrations.tenantId, tenantId),
        eq(kommoIntegrations.id, id),
        eq(kommoIntegrations.tokenVersion, version),
        eq(kommoIntegrations.status, "active"),
        or(isNull(kommoIntegrations.refreshClaimedUntil), lt(kommoIntegrations.refreshClaimedUntil, sql`now()`)),
      ),
    )
    .returning();
  return row;
}

/** Records a stored token pair (the secrets were rotated in the same transaction). */
export async function recordKommoTokens(
  db: DbOrTx,
  input: { tenantId: string; id: string; accessTokenRef: string; refreshTokenRef: string; accessExpiresAt: Date; refreshExpiresAt: Date; activate: boolean },
) {
  const [row] = await db
    .update(kommoIntegrations)
    .set({
      accessTokenRef: input.accessTokenRef,
      refreshTokenRef: input.refreshTokenRef,
      accessExpiresAt: input.accessExpiresAt,
      refreshExpiresAt: input.refreshExpiresAt,
      tokenVersion: sql`${kommoIntegrations.tokenVersion} + 1`,
      refreshClaimedUntil: null,
      ...(input.activate ? { status: "active" as const, errorReason: null } : {}),
    })
    .where(and(eq(kommoIntegrations.tenantId, input.tenantId), eq(kommoIntegrations.id, input.id)))
    .returning();
  return row;
}

/** Moves the integration to `error`; returns the row only when this call made the transition. */
export async function failKommoIntegration(db: DbOrTx, { tenantId, id, reason }: { tenantId: string; id: string; reason: string }) {
  const [row] = await db
    .update(kommoIntegrations)
    .set({ status: "error", errorReason: reason, refreshClaimedUntil: null })
    .where(and(eq(kommoIntegrations.tenantId, tenantId), eq(kommoIntegrations.id, id), sql`${kommoIntegrations.status} <> 'error'`))
    .returning();
  return row;
}

/** Active integrations whose access token expires before `before` (the scheduled refresh). */
export async function listKommoIntegrationsToRefresh(db: DbOrTx, { before, limit }: { before: Date; limit: number }) {
  return db
    .select({ id: kommoIntegrations.id, tenantId: kommoIntegrations.tenantId })
    .from(kommoIntegrations)
    .where(and(eq(kommoIntegrations.status, "active"), lt(kommoIntegrations.accessExpiresAt, before)))
    .orderBy(asc(kommoIntegrations.accessExpiresAt))
    .limit(limit);
}

/** Starts a new full sync generation from the first page. */
export async function startKommoSync(db: DbOrTx, { tenantId, id, updatedFrom }: { tenantId: string; id: string; updatedFrom: Date | null }) {
  const [row] = await db
    .update(kommoIntegrations)
    .set({
      syncStatus: "running",
      syncGeneration: sql`${kommoIntegrations.syncGeneration} + 1`,
      syncNextPage: null,
      syncUpdatedFrom: updatedFrom,
      syncPages: 0,
      syncContacts: 0,
      syncPushed: 0,
      syncError: null,
      syncStartedAt: sql`now()`,
      syncFinishedAt: null,
    })
    .where(and(eq(kommoIntegrations.tenantId, tenantId), eq(kommoIntegrations.id, id)))
    .returning();
  return row;
}

/** Advances the cursor of a running sync of this generation past one page; false if it moved on. */
export async function advanceKommoSync(
  db: DbOrTx,
  input: { tenantId: string; id: string; generation: number; fromPage: string | null; nextPage: string | null; pages: number; contacts: number; pushed: number },
): Promise<boolean> {
  const rows = await db
    .update(kommoIntegrations)
    .set({
      syncNextPage: input.nextPage,
      syncPages: sql`${kommoIntegrations.syncPages} + ${input.pages}`,
      syncContacts: sql`${kommoIntegrations.syncContacts} + ${input.contacts}`,
      syncPushed: sql`${kommoIntegrations.syncPushed} + ${input.pushed}`,
      ...(input.nextPage === null ? { syncStatus: "done" as const, syncFinishedAt: sql`now()` } : {}),
    })
    .where(
      and(
        eq(kommoIntegrations.tenantId, input.tenantId),
        eq(kommoIntegrations.id, input.id),
        eq(kommoIntegrations.syncGeneration, input.generation),
        eq(kommoIntegrations.syncStatus, "running"),
        input.fromPage === null ? isNull(kommoIntegrations.syncNextPage) : eq(kommoIntegrations.syncNextPage, input.fromPage),
      ),
    )
    .returning({ id: kommoIntegrations.id });
  return rows.length === 1;
}

/** A failed sync of this generation runs again from its saved page (a dead letter replayed, a grant restored). */
export async function resumeKommoSync(db: DbOrTx, { tenantId, id, generation }: { tenantId: string; id: string; generation: number }) {
  const [row] = await db
    .update(kommoIntegrations)
    .set({ syncStatus: "running", syncError: null, syncFinishedAt: null })
    .where(and(eq(kommoIntegrations.tenantId, tenantId), eq(kommoIntegrations.id, id), eq(kommoIntegrations.syncGeneration, generation), eq(kommoIntegrations.syncStatus, "failed")))
    .returning();
  return row;
}

export async function failKommoSync(db: DbOrTx, { tenantId, id, generation, error }: { tenantId: string; id: string; generation: number; error: string }) {
  await db
    .update(kommoIntegrations)
    .set({ syncStatus: "failed", syncError: error, syncFinishedAt: sql`now()` })
    .where(and(eq(kommoIntegrations.tenantId, tenantId), eq(kommoIntegrations.id, id), eq(kommoIntegrations.syncGeneration, generation), eq(kommoIntegrations.syncStatus, "running")));
}

// ---- mirror ----

export interface MirrorRow {
  kommoId: number;
  name: string | null;
  emails: string[];
  phones: string[];
  kommoUpdatedAt: Date | null;
  deleted: boolean;
}

export async function findKommoContacts(db: DbOrTx, { tenantId, integrationId, kommoIds }: { tenantId: string; integrationId: string; kommoIds: number[] }) {
  if (kommoIds.length === 0) return [];
  return db
    .select()
    .from(kommoContacts)
    .where(and(eq(kommoContacts.tenantId, tenantId), eq(kommoContacts.integrationId, integrationId), inArray(kommoContacts.kommoId, kommoIds)));
}

export async function upsertKommoContacts(db: DbOrTx, { tenantId, integrationId, rows }: { tenantId: string; integrationId: string; rows: MirrorRow[] }) {
  if (rows.length === 0) return;
  await db
    .insert(kommoContacts)
    .values(rows.map((r) => ({ ...r, tenantId, integrationId })))
    .onConflictDoUpdate({
      target: [kommoContacts.integrationId, kommoContacts.kommoId],
      set: {
        name: sql`excluded.name`,
        emails: sql`excluded.emails`,
        phones: sql`excluded.phones`,
        kommoUpdatedAt: sql`excluded.kommo_updated_at`,
        deleted: sql`excluded.deleted`,
        updatedAt: sql`now()`,
      },
    });
}

export async function countKommoContacts(db: DbOrTx, { tenantId, integrationId }: { tenantId: string; integrationId: string }) {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(kommoContacts)
    .where(and(eq(kommoContacts.tenantId, tenantId), eq(kommoContacts.integrationId, integrationId), eq(kommoContacts.deleted, false)));
  return row?.n ?? 0;
}

// ---- webhook deliveries ----

/** Records a delivery; undefined when the same body was already recorded (a replay). */
export async function insertKommoWebhookDelivery(db: DbOrTx, input: { tenantId: string; integrationId: string; dedupeKey: string; changes: unknown[] }) {
  const [row] = await db.insert(kommoWebhookDeliveries).values(input).onConflictDoNothing().returning({ seq: kommoWebhookDeliveries.seq });
  return row;
}

/** The oldest pending deliveries of an integration, in arrival order. */
export async function listPendingKommoWebhooks(db: DbOrTx, { tenantId, integrationId, limit }: { tenantId: string; integrationId: string; limit: number }) {
  return db
    .select()
    .from(kommoWebhookDeliveries)
    .where(and(eq(kommoWebhookDeliveries.tenantId, tenantId), eq(kommoWebhookDeliveries.integrationId, integrationId), eq(kommoWebhookDeliveries.status, "pending")))
    .orderBy(asc(kommoWebhookDeliveries.seq))
    .limit(limit);
}

export async function finishKommoWebhook(db: DbOrTx, { tenantId, seq, status, error }: { tenantId: string; seq: number; status: "processed" | "failed"; error?: string | null }) {
  await db
    .update(kommoWebhookDeliveries)
    .set({ status, error: error ?? null, processedAt: sql`now()` })
    .where(and(eq(kommoWebhookDeliveries.tenantId, tenantId), eq(kommoWebhookDeliveries.seq, seq), eq(kommoWebhookDeliveries.status, "pending")));
}

// ---- request log ----

export async function insertKommoRequestLog(db: DbOrTx, input: typeof kommoRequestLog.$inferInsert) {
  await db.insert(kommoRequestLog).values(input);
}

export async function listKommoRequestLog(
  db: DbOrTx,
  input: { tenantId: string; integrationId: string; service?: IntegrationRequestService; ok?: boolean; beforeId?: number; limit: number },
) {
  return db
    .select()
    .from(kommoRequestLog)
    .where(
      and(
        eq(kommoRequestLog.tenantId, input.tenantId),
        eq(kommoRequestLog.integrationId, input.integrationId),
        input.service ? eq(kommoRequestLog.service, input.service) : undefined,
        input.ok === undefined ? undefined : eq(kommoRequestLog.ok, input.ok),
        input.beforeId ? lt(kommoRequestLog.id, input.beforeId) : undefined,
      ),
    )
    .orderBy(desc(kommoRequestLog.id))
    .limit(input.limit);
}

export async function countPendingKommoWebhooks(db: DbOrTx, { tenantId, integrationId }: { tenantId: string; integrationId: string }) {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(kommoWebhookDeliveries)
    .where(and(eq(kommoWebhookDeliveries.tenantId, tenantId), eq(kommoWebhookDeliveries.integrationId, integrationId), eq(kommoWebhookDeliveries.status, "pending")));
  return row?.n ?? 0;
}
