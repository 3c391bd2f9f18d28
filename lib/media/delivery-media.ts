// The stored media a delivery attempt may read: scoped to the message's tenant and the config
// (for provider copies). Handed to adapters as SendOptions.media.
import { Readable } from "node:stream";
import { getDb } from "@/db";
import { findMedia, findProviderUpload, forgetProviderUpload, saveProviderUpload } from "@/db/queries/media";
import type { Media } from "@/db/schema/media";
import { ProviderSendError, type MediaAccess, type MediaFile } from "@/lib/providers/adapter";
import { downloadName } from "./media";
import { OCTET_STREAM } from "./media-types";
import { mediaSettings } from "./settings";
import { mediaStorage } from "./storage/select";

const unavailable = (id: string, why: string) =>
  new ProviderSendError({ kind: "rejected", code: "media_unavailable", httpStatus: null, message: `Media ${id} ${why}` });

function fileOf(row: Media): MediaFile {
  return { id: row.id, filename: downloadName(row), contentType: row.contentType ?? OCTET_STREAM, size: row.sizeBytes ?? 0 };
}

async function readyRow(tenantId: string, id: string): Promise<Media> {
  const row = await findMedia(getDb(), { tenantId, id });
  if (!row) throw unavailable(id, "no longer exists");
  if (row.status !== "ready") throw unavailable(id, `is ${row.status}, not ready`);
  return row;
}

async function openRow(row: Media): Promise<Readable> {
  const { storage } = mediaStorage();
  // A storage outage is worth a retry; a missing object is not.
  let object;
  try {
    object = await storage.get(row.storageKey);
  } catch (err) {
    throw new ProviderSendError({ kind: "retryable", code: "media_storage_unavailable", httpStatus: null, message: `Media storage did not answer: ${(err as Error).message}`, cause: err });
  }
  if (!object) throw unavailable(row.id, "has no stored object");
  return object.body;
}

export function mediaAccess(tenantId: string, configId: string): MediaAccess {
  return {
    async describe(id) {
      return fileOf(await readyRow(tenantId, id));
    },
    async read(id) {
      const row = await readyRow(tenantId, id);
      const chunks: Buffer[] = [];
      for await (const chunk of await openRow(row)) chunks.push(chunk as Buffer);
      return { file: fileOf(row), bytes: Buffer.concat(chunks) };
    },
    async open(id) {
      const row = await readyRow(tenantId, id);
      return { file: fileOf(row), body: Readable.toWeb(await openRow(row)) as ReadableStream<Uint8Array> };
    },
    copies: {
      find: (mediaId) => findProviderUpload(getDb(), { tenantId, mediaId, configId }),
      save: (mediaId, copy) => saveProviderUpload(getDb(), { tenantId, mediaId, configId, ...copy }),
      forget: (mediaId, providerMediaId) => forgetProviderUpload(getDb(), { tenantId, mediaId, configId, providerMediaId }),
    },
  };
}

/** A signed URL of a stored media that a provider or a device fetches later (push `image_url`). */
export async function mediaLinkUrl(tenantId: string, id: string): Promise<string> {
  const row = await readyRow(tenantId, id);
  const { storage } = mediaStorage();
  return storage.downloadUrl(row.storageKey, {
    expiresInSeconds: mediaSettings().linkUrlSeconds,
    contentType: row.contentType ?? OCTET_STREAM,
    disposition: "inline",
    filename: downloadName(row),
  });
}
