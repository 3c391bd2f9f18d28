// Media rows: the tenant's stored files and the provider copies of them. Reads never see a row
// whose deletion began (`deleted_at`); the purge finishes those.
import { and, desc, eq, inArray, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { media, mediaProviderUploads, type Media, type MediaStatus, type NewMedia } from "../schema";

const live = (tenantId: string) => and(eq(media.tenantId, tenantId), isNull(media.deletedAt));

export async function insertMedia(db: DbOrTx, values: NewMedia & { id: string; tenantId: string }): Promise<Media> {
  const [row] = await db.insert(media).values(values).returning();
  return row!;
}

/**
 * Inbound media of a message: the existing row of this provider media id, or a new pending one
 * (the unique index decides a race; the loser reads the winner's row).
 */
export async function claimInboundMedia(db: DbOrTx, values: NewMedia & { id: string; tenantId: string; messageId: string; providerMediaId: string }): Promise<Media> {
  const [inserted] = await db.insert(media).values(values).onConflictDoNothing().returning();
  if (inserted) return inserted;
  const [existing] = await db
    .select()
    .from(media)
    .where(and(eq(media.tenantId, values.tenantId), eq(media.messageId, values.messageId), eq(media.providerMediaId, values.providerMediaId), eq(media.source, "inbound")));
  return existing!;
}

export async function findMedia(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }): Promise<Media | undefined> {
  const [row] = await db.select().from(media).where(and(live(tenantId), eq(media.id, id)));
  return row;
}

export async function findMediaByIds(db: DbOrTx, { tenantId, ids }: { tenantId: string; ids: string[] }): Promise<Media[]> {
  if (ids.length === 0) return [];
  return db.select().from(media).where(and(live(tenantId), inArray(media.id, ids)));
}

export async function listMessageMedia(db: DbOrTx, { tenantId, messageId }: { tenantId: string; messageId: string }): Promise<Media[]> {
  return db.select().from(media).where(and(live(tenantId), eq(media.messageId, messageId))).orderBy(media.createdAt);
}

/** Newest first, keyset on (created_at, id). */
export async function listMediaPage(
  db: DbOrTx,
  q: { tenantId: string; before?: { at: Date; id: string }; limit: number; status?: MediaStatus; source?: Media["source"]; filename?: string },
): Promise<Media[]> {
  const where: (SQL | undefined)[] = [live(q.tenantId)];
  if (q.before) where.push(or(lt(media.createdAt, q.before.at), and(eq(media.createdAt, q.before.at), lt(media.id, q.before.id))));
  if (q.status) where.push(eq(media.status, q.status));
  if (q.source) where.push(eq(media.source, q.source));
  if (q.filename) where.push(sql`${media.filename} ilike ${`%${q.filename.replace(/[\\%_]/g, "\\$&")}%`}`);
  return db.select().from(media).where(and(...where)).orderBy(desc(media.createdAt), desc(media.id)).limit(q.limit);
}

/** Moves a row out of `from` (a conditional update: of two concurrent completions one wins). */
export async function updateMediaFrom(
  db: DbOrTx,
  { tenantId, id, from, values }: { tenantId: string; id: string; from: MediaStatus[]; values: Partial<Omit<NewMedia, "id" | "tenantId">> },
): Promise<Media | undefined> {
  const [row] = await db
    .update(media)
    .set(values)
    .where(and(live(tenantId), eq(media.id, id), inArray(media.status, from)))
    .returning();
  return row;
}

/** Begins deletion: the row disappears from reads at once; the object and row go after. */
export async function markMediaDeleted(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }): Promise<Media | undefined> {
  const [row] = await db.update(media).set({ deletedAt: new Date() }).where(and(live(tenantId), eq(media.id, id))).returning();
  return row;
}

export async function deleteMediaRow(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }): Promise<void> {
  await db.delete(media).where(and(eq(media.tenantId, tenantId), eq(media.id, id)));
}

/**
 * Retention: claims up to `limit` rows to purge — deletions to finish, objects past their days
 * (own or the default), presigned uploads never completed, inbound downloads that failed — by
 * marking them deleted (SKIP LOCKED: two purgers take different rows). Returns their keys.
 */
export async function claimExpiredMedia(db: DbOrTx, { defaultDays, limit }: { defaultDays: number; limit: number }) {
  const rows = await db.execute<{ id: string; tenant_id: string; storage_key: string; backend: string }>(sql`
    update media m set deleted_at = coalesce(m.deleted_at, now())
    where m.id in (
      select id from media
      where deleted_at is not null
         or created_at < now() - coalesce(retention_days, ${defaultDays}) * interval '1 day'
         or (status = 'pending' and source <> 'inbound' and upload_expires_at < now() - interval '1 hour')
      limit ${limit}
      for update skip locked
    )
    returning m.id, m.tenant_id, m.storage_key, m.backend`);
  return [...rows].map((r) => ({ id: r.id, tenantId: r.tenant_id, storageKey: r.storage_key, backend: r.backend }));
}

/** After their objects are gone: the claimed rows themselves. */
export async function deletePurgedMedia(db: DbOrTx, { ids }: { ids: string[] }): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = await db.delete(media).where(and(inArray(media.id, ids), sql`${media.deletedAt} is not null`)).returning({ id: media.id });
  return rows.length;
}

// ---------------------------------------------------------------------------------------------
// Provider copies (per config)

export async function findProviderUpload(db: DbOrTx, { tenantId, mediaId, configId }: { tenantId: string; mediaId: string; configId: string }) {
  const [row] = await db
    .select()
    .from(mediaProviderUploads)
    .where(and(eq(mediaProviderUploads.tenantId, tenantId), eq(mediaProviderUploads.mediaId, mediaId), eq(mediaProviderUploads.configId, configId)));
  return row;
}

/** Remembers the provider's id; a concurrent upload of the same media keeps the newer one. */
export async function saveProviderUpload(
  db: DbOrTx,
  v: { tenantId: string; mediaId: string; configId: string; providerMediaId: string; uploadedAt: Date; expiresAt: Date },
): Promise<void> {
  await db
    .insert(mediaProviderUploads)
    .values(v)
    .onConflictDoUpdate({
      target: [mediaProviderUploads.mediaId, mediaProviderUploads.configId],
      set: { providerMediaId: v.providerMediaId, uploadedAt: v.uploadedAt, expiresAt: v.expiresAt },
      setWhere: sql`${mediaProviderUploads.uploadedAt} < excluded.uploaded_at`,
    });
}

export async function forgetProviderUpload(db: DbOrTx, { tenantId, mediaId, configId, providerMediaId }: { tenantId: string; mediaId: string; configId: string; providerMediaId: string }) {
  await db
    .delete(mediaProviderUploads)
    .where(
      and(
        eq(mediaProviderUploads.tenantId, tenantId),
        eq(mediaProviderUploads.mediaId, mediaId),
        eq(mediaProviderUploads.configId, configId),
        eq(mediaProviderUploads.providerMediaId, providerMediaId),
      ),
    );
}
