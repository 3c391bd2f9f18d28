// Media named by a send, checked before the send is accepted: every id must be a ready media of
// the tenant, and the message must fit what the route's providers take (their limits live in
// their definitions). Hops that cannot carry it leave the route; none left is a 422 naming the limit.
import { getDb } from "@/db";
import { findMediaByIds } from "@/db/queries/media";
import type { Media } from "@/db/schema/media";
import type { RouteHop } from "@/db/schema/messages";
import type { ProviderKind } from "@/db/schema/enum-values";
import { ApiError } from "@/lib/api/errors";
import { providerDefinitions } from "@/lib/providers/definitions";
import type { ProviderDefinitionInput } from "@/lib/providers/definition";
import type { SendInput } from "@/lib/validations/messages";
import { checkType, tooLarge } from "./limits";
import { formatBytes, isImage } from "./media-types";
import { base64Size } from "./uses";

export interface MediaRef {
  id: string;
  /** Where the payload names it, for the error's path. */
  path: string;
  /** The kind of media message it is sent as (WhatsApp image, video …), when the channel has kinds. */
  kind?: string;
  /** Sent as a file inside the message (email attachments): counts towards the message size. */
  inline?: boolean;
  /** Must be an image (push image_media_id). */
  image?: boolean;
}

const rec = (v: unknown): Record<string, unknown> | undefined => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

/** The media ids a validated payload names. */
export function mediaRefsOf(input: Pick<SendInput, "channel" | "payload">): MediaRef[] {
  const p = input.payload;
  const refs: MediaRef[] = [];
  if (Array.isArray(p.attachments)) {
    p.attachments.forEach((a, i) => {
      const id = rec(a)?.media_id;
      if (typeof id === "string") refs.push({ id, path: `attachments[${i}].media_id`, inline: true });
    });
  }
  const media = rec(p.media);
  if (typeof media?.media_id === "string") refs.push({ id: media.media_id, path: "media.media_id", kind: typeof media.type === "string" ? media.type : undefined });
  if (typeof p.image_media_id === "string") refs.push({ id: p.image_media_id, path: "image_media_id", image: true });
  return refs;
}

/** The ready-or-not media rows every input names, in one query. */
export async function loadSendMedia(tenantId: string, inputs: Pick<SendInput, "channel" | "payload">[]): Promise<Map<string, Media>> {
  const ids = [...new Set(inputs.flatMap((i) => mediaRefsOf(i).map((r) => r.id)))];
  if (ids.length === 0) return new Map();
  return new Map((await findMediaByIds(getDb(), { tenantId, ids })).map((m) => [m.id, m]));
}

/** Bytes the message takes as the email providers count it: bodies plus base64-encoded attachments. */
export function messageBytes(input: Pick<SendInput, "payload">, refs: MediaRef[], media: Map<string, Media>): number {
  const p = input.payload;
  let n = 0;
  for (const k of ["subject", "body_text", "body_html"]) if (typeof p[k] === "string") n += Buffer.byteLength(p[k] as string);
  for (const r of refs) if (r.inline) n += base64Size(media.get(r.id)?.sizeBytes ?? 0);
  return n;
}

/** Why a provider cannot carry the message's media (an ApiError naming the limit), or null. */
function hopRefusal(def: ProviderDefinitionInput, input: Pick<SendInput, "payload">, refs: MediaRef[], media: Map<string, Media>): ApiError | null {
  for (const r of refs) {
    if (!r.kind) continue;
    const m = media.get(r.id)!;
    const limit = def.media?.kinds?.[r.kind];
    if (!limit) {
      return new ApiError({ code: "MEDIA_NOT_SUPPORTED", status: 422, message: `${def.label} cannot send ${r.kind} media`, details: [{ path: r.path, message: `No ${r.kind} media on ${def.label}`, provider: def.kind }] });
    }
    const use = { id: `${def.channel}_${r.kind}`, ...limit };
    try {
      checkType(use, m.contentType ?? "application/octet-stream", r.path);
    } catch (err) {
      return err as ApiError;
    }
    if ((m.sizeBytes ?? 0) > limit.maxBytes) return tooLarge(use, { size: m.sizeBytes ?? 0, path: r.path });
  }
  const max = def.media?.maxMessageBytes;
  if (max !== undefined && refs.some((r) => r.inline)) {
    const size = messageBytes(input, refs, media);
    if (size >= max) {
      return new ApiError({
        code: "MEDIA_TOO_LARGE",
        status: 422,
        message: `${def.label} takes messages under ${formatBytes(max)} including attachments (base64-encoded); this one is ${formatBytes(size)}`,
        details: [{ path: "attachments", message: `The whole message must be under ${formatBytes(max)}`, limit_bytes: max, size_bytes: size, provider: def.kind }],
      });
    }
  }
  return null;
}

/**
 * The route's hops that can carry the send's media; throws 422 when an id is unknown (another
 * tenant's is unknown too), not ready, not an image where one is needed, or no hop can carry it.
 */
export function admitSendMedia(input: Pick<SendInput, "channel" | "payload">, hops: RouteHop[], media: Map<string, Media>): RouteHop[] {
  const refs = mediaRefsOf(input);
  if (refs.length === 0) return hops;
  for (const r of refs) {
    const m = media.get(r.id);
    if (!m) throw new ApiError({ code: "MEDIA_NOT_FOUND", status: 422, message: `No media ${r.id} in this tenant`, details: [{ path: r.path, message: "Unknown media id" }] });
    if (m.status !== "ready") {
      throw new ApiError({ code: "MEDIA_NOT_READY", status: 422, message: `Media ${r.id} is ${m.status}: complete its upload first`, details: [{ path: r.path, message: `The media is ${m.status}` }] });
    }
    if (r.image && !isImage(m.contentType)) {
      throw new ApiError({ code: "MEDIA_TYPE_NOT_ALLOWED", status: 422, message: `A push image must be an image (jpeg, png, gif or webp); this file is ${m.contentType}`, details: [{ path: r.path, message: "Not an image", content_type: m.contentType }] });
    }
  }
  let first: ApiError | null = null;
  const kept = hops.filter((h) => {
    const refusal = hopRefusal(providerDefinitions[h.provider as ProviderKind] as ProviderDefinitionInput, input, refs, media);
    first ??= refusal;
    return refusal === null;
  });
  if (kept.length === 0 && first) throw first;
  return kept;
}
