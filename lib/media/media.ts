// Media of a tenant: streamed uploads, the presigned upload flow, reads, downloads and deletion.
// Storage I/O never runs inside a database transaction: a row is claimed (pending), the bytes
// move, then the outcome is recorded with a conditional update.
import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import { getDb } from "@/db";
import {
  deleteMediaRow,
  findMedia,
  insertMedia,
  listMediaPage,
  markMediaDeleted,
  updateMediaFrom,
} from "@/db/queries/media";
import type { Media, MediaSource } from "@/db/schema/media";
import { decodeTimeIdCursor, encodeTimeIdCursor } from "@/lib/api/cursor";
import { ApiError } from "@/lib/api/errors";
import { recordAudit } from "@/lib/audit/record-audit";
import { logger } from "@/lib/logger";
import type { TenantContext } from "@/lib/tenancy/context";
import {
  mediaListOut,
  mediaOut,
  presignedUploadOut,
  type ListMediaQuery,
  type MediaListOut,
  type MediaOut,
  type PresignedUploadBody,
  type PresignedUploadOut,
  type UploadOptions,
} from "@/lib/validations/media";
import { InspectStream, inspectStream, SizeLimitExceeded, type Inspection } from "./ingest";
import { checkType, limitFor, tooLarge } from "./limits";
import { claimedType, isInlineSafe, OCTET_STREAM, sniffContentType } from "./media-types";
import { mediaSettings } from "./settings";
import { mediaStorage } from "./storage/select";
import { objectKey, type MediaStorage } from "./storage/storage";
import type { MediaUse } from "./uses";

const DAY_MS = 86_400_000;

export function toMediaOut(row: Media): MediaOut {
  const days = row.retentionDays ?? mediaSettings().retentionDays;
  return mediaOut.parse({
    id: row.id,
    status: row.status,
    source: row.source,
    filename: row.filename,
    content_type: row.contentType,
    size: row.sizeBytes,
    sha256: row.sha256,
    use: row.use,
    backend: row.backend,
    created_by: { type: row.createdByType, id: row.createdById, label: row.createdByLabel },
    message_id: row.messageId,
    error: row.error,
    retention_days: days,
    expires_at: new Date(row.createdAt.getTime() + days * DAY_MS).toISOString(),
    created_at: row.createdAt.toISOString(),
    completed_at: row.completedAt?.toISOString() ?? null,
  });
}

function creator(ctx: TenantContext) {
  const a = ctx.actor;
  return {
    createdByType: a.type,
    createdById: a.type === "user" ? a.userId : a.type === "api_key" ? a.keyId : null,
    createdByLabel: a.type === "user" ? a.email : a.type === "api_key" ? `api key ${a.name}` : a.label,
  };
}

function newRow(ctx: TenantContext, storage: MediaStorage, prefix: string, v: { source: MediaSource; filename: string | null; declaredType: string | null; use: string | null; retentionDays: number | null; uploadExpiresAt: Date }) {
  const id = randomUUID();
  return {
    id,
    tenantId: ctx.tenantId,
    status: "pending" as const,
    source: v.source,
    backend: storage.backend,
    storageKey: objectKey(prefix, ctx.tenantId, id),
    filename: v.filename,
    declaredType: v.declaredType,
    use: v.use,
    retentionDays: v.retentionDays,
    uploadExpiresAt: v.uploadExpiresAt,
    ...creator(ctx),
  };
}

export async function mustFindMedia(ctx: TenantContext, id: string): Promise<Media> {
  const row = await findMedia(getDb(), { tenantId: ctx.tenantId, id });
  if (!row) throw ApiError.notFound("Media");
  return row;
}

/** The sniffed type, checked against the use (422 naming the limit). */
async function typeOf(head: Buffer, claimed: string | null, limit: MediaUse): Promise<string> {
  const type = await sniffContentType(head, claimed);
  checkType(limit, type);
  return type;
}

async function finishReady(ctx: TenantContext, row: Media, inspection: Inspection, contentType: string, from: "pending"): Promise<Media> {
  const db = getDb();
  return db.transaction(async (tx) => {
    const done = await updateMediaFrom(tx, {
      tenantId: ctx.tenantId,
      id: row.id,
      from: [from],
      values: { status: "ready", sizeBytes: inspection.size, sha256: inspection.sha256, contentType, completedAt: new Date(), error: null },
    });
    if (!done) {
      // A concurrent completion won: its result is the answer.
      const current = await findMedia(tx, { tenantId: ctx.tenantId, id: row.id });
      if (!current) throw ApiError.notFound("Media");
      return current;
    }
    await recordAudit(tx, ctx, {
      action: "media.uploaded",
      targetType: "media",
      targetId: row.id,
      details: { filename: row.filename, content_type: contentType, size: inspection.size, source: row.source },
    });
    return done;
  });
}

/** Removes what a failed upload left: its object and its row. */
async function discard(storage: MediaStorage, ctx: TenantContext, row: Pick<Media, "id" | "storageKey">) {
  await storage.delete(row.storageKey).catch((err: unknown) => logger.warn({ err, mediaId: row.id }, "could not delete the object of a failed upload; retention removes it"));
  await deleteMediaRow(getDb(), { tenantId: ctx.tenantId, id: row.id });
}

// ---------------------------------------------------------------------------------------------
// Streamed upload (POST /api/v1/media)

export interface IncomingFile {
  stream: Readable;
  filename: string | null;
  declaredType: string | null;
}

/**
 * Stores one file as it arrives: counted, hashed and sniffed on the way, refused as soon as it
 * passes the use's size or its first bytes show a type the use does not take.
 */
export async function storeUpload(ctx: TenantContext, file: IncomingFile, options: UploadOptions): Promise<MediaOut> {
  const { storage, settings } = mediaStorage();
  const limit = limitFor(options.use);
  const claimed = claimedType(file.declaredType, file.filename);
  const row = await insertMedia(
    getDb(),
    newRow(ctx, storage, settings.prefix, {
      source: "upload",
      filename: file.filename,
      declaredType: claimed,
      use: options.use ?? null,
      retentionDays: options.retention_days ?? null,
      // Pending only while the request lasts; a crashed upload's leftovers go with retention.
      uploadExpiresAt: new Date(Date.now() + 6 * 3600_000),
    }),
  );
  let contentType = OCTET_STREAM;
  const inspector = new InspectStream(limit.maxBytes, async (head) => {
    contentType = await typeOf(head, claimed, limit);
  });
  // The refusal (size, type) is read from the inspector below, whichever way the storage SDK reports it.
  inspector.on("error", () => {});
  file.stream.on("error", (err) => inspector.destroy(err));
  file.stream.pipe(inspector);
  let failure: unknown;
  try {
    await storage.put(row.storageKey, inspector, { contentType: claimed ?? OCTET_STREAM });
  } catch (err) {
    failure = err;
  }
  failure = inspectorError(inspector) ?? failure;
  if (failure !== undefined) {
    file.stream.resume();
    await discard(storage, ctx, row);
    if (failure instanceof SizeLimitExceeded) throw tooLarge(limit);
    throw failure;
  }
  const inspection = inspector.result();
  if (inspection.size === 0) {
    await discard(storage, ctx, row);
    throw new ApiError({ code: "validation_failed", message: "The file is empty", details: [{ path: "file", message: "The file is empty" }] });
  }
  return toMediaOut(await finishReady(ctx, row, inspection, contentType, "pending"));
}

/** The error that stopped an inspector, when one did (the storage SDK may wrap or replace it). */
function inspectorError(inspector: InspectStream): unknown {
  return (inspector as unknown as { errored: unknown }).errored ?? undefined;
}

// ---------------------------------------------------------------------------------------------
// Presigned upload: create → the client PUTs → complete

export async function createPresignedUpload(ctx: TenantContext, body: PresignedUploadBody): Promise<PresignedUploadOut> {
  const { storage, settings } = mediaStorage();
  const limit = limitFor(body.use);
  if (body.size !== undefined && body.size > limit.maxBytes) throw tooLarge(limit, { size: body.size, path: "size" });
  const claimed = claimedType(body.content_type, body.filename);
  // A declared type the use refuses is refused now; the bytes are checked again on completion.
  if (claimed && limit.types && !limit.types.includes(claimed)) checkType(limit, claimed, "content_type");
  const ttl = mediaSettings().uploadUrlSeconds;
  const expiresAt = new Date(Date.now() + ttl * 1000);
  const row = await insertMedia(
    getDb(),
    newRow(ctx, storage, settings.prefix, {
      source: "presigned",
      filename: body.filename,
      declaredType: claimed,
      use: body.use ?? null,
      retentionDays: body.retention_days ?? null,
      uploadExpiresAt: expiresAt,
    }),
  );
  const upload = await storage.uploadUrl(row.storageKey, { expiresInSeconds: ttl, maxBytes: limit.maxBytes });
  return presignedUploadOut.parse({
    media: toMediaOut(row),
    upload: { method: "PUT", url: upload.url, headers: upload.headers, expires_at: expiresAt.toISOString(), max_bytes: limit.maxBytes },
  });
}

/**
 * Checks what the client uploaded by reading it back (size against the use, type from the bytes,
 * SHA-256) and makes the media ready. A refused object is deleted and the upload stays open
 * until its URL expires, so the client can PUT a correct file and complete again.
 */
export async function completePresignedUpload(ctx: TenantContext, id: string): Promise<MediaOut> {
  const row = await mustFindMedia(ctx, id);
  if (row.status === "ready") return toMediaOut(row);
  if (row.source !== "presigned" || row.status !== "pending") {
    throw new ApiError({ code: "conflict", message: `This media is ${row.status}; only a pending presigned upload can be completed` });
  }
  const { storage } = mediaStorage();
  const limit = limitFor(row.use);
  const head = await storage.head(row.storageKey);
  if (!head) {
    throw new ApiError({ code: "MEDIA_UPLOAD_MISSING", status: 409, message: "Nothing has been uploaded to the URL yet: PUT the file, then complete" });
  }
  if (head.size > limit.maxBytes) {
    await storage.delete(row.storageKey);
    throw tooLarge(limit, { size: head.size });
  }
  if (head.size === 0) {
    await storage.delete(row.storageKey);
    throw new ApiError({ code: "validation_failed", message: "The uploaded file is empty", details: [{ path: "file", message: "The file is empty" }] });
  }
  const object = await storage.get(row.storageKey);
  if (!object) throw new ApiError({ code: "MEDIA_UPLOAD_MISSING", status: 409, message: "Nothing has been uploaded to the URL yet: PUT the file, then complete" });
  let contentType = OCTET_STREAM;
  let inspection: Inspection;
  try {
    inspection = await inspectStream(object.body, limit.maxBytes, async (h) => {
      contentType = await typeOf(h, row.declaredType, limit);
    });
  } catch (err) {
    if (err instanceof ApiError || err instanceof SizeLimitExceeded) {
      await storage.delete(row.storageKey);
      throw err instanceof SizeLimitExceeded ? tooLarge(limit) : err;
    }
    throw err;
  }
  return toMediaOut(await finishReady(ctx, row, inspection, contentType, "pending"));
}

// ---------------------------------------------------------------------------------------------
// Reads

export async function getMedia(ctx: TenantContext, id: string): Promise<MediaOut> {
  return toMediaOut(await mustFindMedia(ctx, id));
}

export async function listMedia(ctx: TenantContext, q: ListMediaQuery): Promise<MediaListOut> {
  const rows = await listMediaPage(getDb(), {
    tenantId: ctx.tenantId,
    before: q.cursor ? decodeTimeIdCursor(q.cursor) : undefined,
    limit: q.limit + 1,
    status: q.status,
    source: q.source,
    filename: q.q,
  });
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return mediaListOut.parse({
    data: page.map(toMediaOut),
    next_cursor: rows.length > q.limit && last ? encodeTimeIdCursor(last.createdAt, last.id) : null,
  });
}

export function downloadName(row: Pick<Media, "filename" | "id">): string {
  return row.filename ?? row.id;
}

export type DownloadAnswer =
  | { kind: "url"; url: string; expiresAt: Date }
  | { kind: "redirect"; url: string }
  | { kind: "stream"; body: Readable; size: number; contentType: string; disposition: "inline" | "attachment"; filename: string };

/** The bytes of a ready media: a short-lived signed URL (S3, or on request), or the stream itself (filesystem). */
export async function downloadMedia(ctx: TenantContext, id: string, q: { as: "url" | "file"; disposition: "inline" | "attachment" }): Promise<DownloadAnswer> {
  const row = await mustFindMedia(ctx, id);
  if (row.status !== "ready") {
    throw new ApiError({ code: "MEDIA_NOT_READY", status: 409, message: row.status === "failed" ? `This media never arrived: ${row.error ?? "unknown error"}` : "This media has not been uploaded yet" });
  }
  const { storage } = mediaStorage();
  if (row.backend !== storage.backend) {
    throw new ApiError({ code: "MEDIA_UNAVAILABLE", status: 409, message: `This media is stored in the ${row.backend} backend, which this deployment no longer uses` });
  }
  const contentType = row.contentType ?? OCTET_STREAM;
  const disposition = q.disposition === "inline" && isInlineSafe(contentType) ? "inline" : "attachment";
  const filename = downloadName(row);
  const ttl = mediaSettings().downloadUrlSeconds;
  if (q.as === "url" || storage.backend === "s3") {
    const url = await storage.downloadUrl(row.storageKey, { expiresInSeconds: ttl, contentType, disposition, filename });
    return q.as === "url" ? { kind: "url", url, expiresAt: new Date(Date.now() + ttl * 1000) } : { kind: "redirect", url };
  }
  const object = await storage.get(row.storageKey);
  if (!object) throw new ApiError({ code: "MEDIA_UNAVAILABLE", status: 409, message: "The stored object is missing" });
  return { kind: "stream", body: object.body, size: object.size, contentType, disposition, filename };
}

// ---------------------------------------------------------------------------------------------
// Deletion

/** Hides the media at once, deletes the object, then the row; the purge finishes what a failure leaves. */
export async function deleteMedia(ctx: TenantContext, id: string): Promise<void> {
  const row = await getDb().transaction(async (tx) => {
    const marked = await markMediaDeleted(tx, { tenantId: ctx.tenantId, id });
    if (!marked) throw ApiError.notFound("Media");
    await recordAudit(tx, ctx, { action: "media.deleted", targetType: "media", targetId: id, details: { filename: marked.filename } });
    return marked;
  });
  const { storage } = mediaStorage();
  if (row.backend !== storage.backend) return;
  try {
    await storage.delete(row.storageKey);
    await deleteMediaRow(getDb(), { tenantId: ctx.tenantId, id });
  } catch (err) {
    logger.warn({ err, mediaId: id }, "media object not deleted yet; the retention purge retries");
  }
}
