// The one storage interface media goes through; the S3-compatible and filesystem backends implement it.
import type { Readable } from "node:stream";
import type { MediaBackend } from "@/db/schema/enum-values";

export interface StoredObject {
  size: number;
}

export interface UrlOptions {
  expiresInSeconds: number;
}

export interface DownloadUrlOptions extends UrlOptions {
  /** Served as Content-Type; the browser is never left to guess. */
  contentType: string;
  /** `inline` only for types safe to render (see media-types.ts); anything else downloads. */
  disposition: "inline" | "attachment";
  filename: string;
}

export interface UploadUrlOptions extends UrlOptions {
  /** The most a Herald-signed upload URL accepts (S3 presigned PUTs are checked on completion instead). */
  maxBytes: number;
}

export interface MediaStorage {
  readonly backend: MediaBackend;
  /** Streams `body` into the object; rejects (and leaves no object) when the stream errors. */
  put(key: string, body: Readable, opts: { contentType: string }): Promise<void>;
  /** The object's bytes as a stream, or null when there is none. */
  get(key: string): Promise<{ body: Readable; size: number } | null>;
  head(key: string): Promise<StoredObject | null>;
  /** Idempotent: deleting a missing object succeeds. */
  delete(key: string): Promise<void>;
  /** A URL the client PUTs the bytes to, with the headers it must send. */
  uploadUrl(key: string, opts: UploadUrlOptions): Promise<{ url: string; headers: Record<string, string> }>;
  /** A short-lived URL anyone holding it can GET the bytes from. */
  downloadUrl(key: string, opts: DownloadUrlOptions): Promise<string>;
}

const KEY = /^(?:[A-Za-z0-9._-]+\/)*t\/[0-9a-f-]{36}\/[0-9a-f-]{36}$/;

/** Every object key Herald writes: `<prefix>t/<tenant id>/<media id>` (no user input in it). */
export function objectKey(prefix: string, tenantId: string, mediaId: string): string {
  const key = `${prefix}t/${tenantId}/${mediaId}`;
  if (!KEY.test(key)) throw new Error("invalid media object key");
  return key;
}

export function isObjectKey(key: string): boolean {
  return KEY.test(key) && !key.split("/").some((s) => s === "." || s === "..");
}

/** RFC 6266 Content-Disposition with an ASCII fallback and the UTF-8 name. */
export function contentDisposition(disposition: "inline" | "attachment", filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_") || "file";
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
