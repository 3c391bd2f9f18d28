// Checking an object against a use's limits, and the 422s that name the limit.
import { ApiError } from "@/lib/api/errors";
import { formatBytes } from "./media-types";
import { maxMediaBytes, mediaUses, type MediaUse } from "./uses";

/** The use an upload named, else the deployment's general limit. */
export function limitFor(useId: string | null | undefined): MediaUse {
  const use = useId ? mediaUses.get(useId) : undefined;
  const max = maxMediaBytes();
  if (use) return { ...use, maxBytes: Math.min(use.maxBytes, max) };
  return { id: "any", label: "File", types: null, maxBytes: max };
}

export function tooLarge(limit: { label: string; maxBytes: number; id?: string }, opts: { size?: number; path?: string } = {}): ApiError {
  const seen = opts.size !== undefined ? `; this file is ${formatBytes(opts.size)}` : "";
  return new ApiError({
    code: "MEDIA_TOO_LARGE",
    status: 422,
    message: `${limit.label}: at most ${formatBytes(limit.maxBytes)}${seen}`,
    details: [{ path: opts.path ?? "file", message: `At most ${formatBytes(limit.maxBytes)}`, limit_bytes: limit.maxBytes, ...(opts.size !== undefined ? { size_bytes: opts.size } : {}), ...(limit.id ? { use: limit.id } : {}) }],
  });
}

export function typeNotAllowed(limit: { label: string; types: readonly string[] | null; id?: string }, contentType: string, opts: { path?: string } = {}): ApiError {
  const allowed = (limit.types ?? []).join(", ");
  return new ApiError({
    code: "MEDIA_TYPE_NOT_ALLOWED",
    status: 422,
    message: `${limit.label}: ${allowed} only; this file is ${contentType}`,
    details: [{ path: opts.path ?? "file", message: `Allowed types: ${allowed}`, allowed_types: limit.types, content_type: contentType, ...(limit.id ? { use: limit.id } : {}) }],
  });
}

/** Throws the 422 for a type the use does not take. */
export function checkType(limit: MediaUse, contentType: string, path?: string): void {
  if (limit.types && !limit.types.includes(contentType)) throw typeNotAllowed(limit, contentType, { path });
}
