// Content types: sniffed from the bytes, never taken from the client, except for formats that have
// no signature (plain text, CSV) or that only a full parse can tell apart (Office files in a zip).
import { fileTypeFromBuffer } from "file-type";

/** Bytes kept from the start of an upload for sniffing (Office zips name their type in an early entry). */
export const SNIFF_BYTES = 64 * 1024;

const TEXT_TYPES = new Set(["text/plain", "text/csv"]);
const OOXML = new Set([
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation",
]);
const LEGACY_OFFICE = new Set(["application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint"]);

const EXTENSION_TYPES: Record<string, string> = {
  txt: "text/plain",
  csv: "text/csv",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  doc: "application/msword",
  xls: "application/vnd.ms-excel",
  ppt: "application/vnd.ms-powerpoint",
};

export const OCTET_STREAM = "application/octet-stream";

/** The type the client claimed: its content type, else what the file name's extension says. */
export function claimedType(declared: string | null | undefined, filename: string | null | undefined): string | null {
  const d = declared?.split(";")[0]?.trim().toLowerCase();
  if (d && d !== OCTET_STREAM) return d;
  const ext = filename?.toLowerCase().match(/\.([a-z0-9]{1,8})$/)?.[1];
  return ext ? (EXTENSION_TYPES[ext] ?? null) : null;
}

function looksLikeText(head: Buffer): boolean {
  if (head.includes(0)) return false;
  // A UTF-8 decode that needed replacement characters means binary (a cut multi-byte char at the end is fine).
  const text = head.subarray(0, Math.max(0, head.length - 4)).toString("utf8");
  return !text.includes("\uFFFD");
}

/** The content type of an object from its first bytes (and the client's claim where bytes cannot tell). */
export async function sniffContentType(head: Buffer, claimed: string | null): Promise<string> {
  const found = head.length > 0 ? await fileTypeFromBuffer(head) : undefined;
  if (found) {
    if (found.mime === "application/zip" && claimed && OOXML.has(claimed)) return claimed;
    if (found.mime === "application/x-cfb" && claimed && LEGACY_OFFICE.has(claimed)) return claimed;
    return found.mime;
  }
  if (claimed && TEXT_TYPES.has(claimed) && looksLikeText(head)) return claimed;
  return OCTET_STREAM;
}

/** Types a browser may render from Herald's origin; everything else is served as a download. */
const INLINE_SAFE = new Set(["image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf", "video/mp4", "audio/mpeg", "audio/ogg", "text/plain"]);

export function isInlineSafe(contentType: string | null): boolean {
  return contentType !== null && INLINE_SAFE.has(contentType);
}

export { formatBytes, isImage } from "./media-format";
