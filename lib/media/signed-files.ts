// The filesystem backend's signed URLs, served by Herald: GET streams an object, PUT receives a
// presigned upload. The token is the only credential; it names one object and expires.
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { getDb } from "@/db";
import { findMedia } from "@/db/queries/media";
import { ApiError } from "@/lib/api/errors";
import { InspectStream, SizeLimitExceeded } from "./ingest";
import { mediaStorage } from "./storage/select";
import { verifyFileToken } from "./storage/signed-url";
import { contentDisposition } from "./storage/storage";

const refused = () => new ApiError({ code: "forbidden", message: "This link is invalid or has expired" });

/** `t/<tenant>/<media>` at the end of a key. */
function idsOf(key: string): { tenantId: string; mediaId: string } {
  const parts = key.split("/");
  return { tenantId: parts.at(-2)!, mediaId: parts.at(-1)! };
}

function filesystemStorage() {
  const { storage } = mediaStorage();
  // Signed Herald URLs exist only for the filesystem backend; S3 hands out its own.
  if (storage.backend !== "filesystem") throw ApiError.notFound("File");
  return storage;
}

export async function readSignedFile(token: string): Promise<{ body: Readable; headers: Record<string, string> }> {
  const claims = verifyFileToken(token);
  if (!claims || claims.op !== "get") throw refused();
  const storage = filesystemStorage();
  const object = await storage.get(claims.key);
  if (!object) throw ApiError.notFound("File");
  return {
    body: object.body,
    headers: {
      "content-type": claims.contentType,
      "content-length": String(object.size),
      "content-disposition": contentDisposition(claims.disposition, claims.filename),
      // Uploaded bytes are never a page of Herald's: no sniffing, no scripts, no framing.
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'; img-src 'self'; media-src 'self'; sandbox",
      "cache-control": "private, no-store",
    },
  };
}

/** Receives the bytes of a presigned upload (what S3 does for its presigned PUT). */
export async function writeSignedFile(token: string, body: ReadableStream<Uint8Array> | null): Promise<void> {
  const claims = verifyFileToken(token);
  if (!claims || claims.op !== "put") throw refused();
  const storage = filesystemStorage();
  const { tenantId, mediaId } = idsOf(claims.key);
  const row = await findMedia(getDb(), { tenantId, id: mediaId });
  if (!row || row.storageKey !== claims.key) throw ApiError.notFound("File");
  if (row.status !== "pending" || row.source !== "presigned") throw new ApiError({ code: "conflict", message: "This upload is already complete" });
  if (!body) throw new ApiError({ code: "validation_failed", message: "The body is empty", details: [{ path: "body", message: "Send the file as the request body" }] });
  const limiter = new InspectStream(claims.maxBytes);
  const source = Readable.fromWeb(body as WebReadableStream<Uint8Array>);
  source.on("error", (err) => limiter.destroy(err));
  source.pipe(limiter);
  try {
    await storage.put(claims.key, limiter, { contentType: "application/octet-stream" });
  } catch (err) {
    source.destroy();
    if (err instanceof SizeLimitExceeded) {
      throw new ApiError({ code: "payload_too_large", message: `The file is larger than this upload allows (${claims.maxBytes} bytes)`, details: { limit_bytes: claims.maxBytes } });
    }
    throw err;
  }
}
