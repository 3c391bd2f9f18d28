// WhatsApp media messages: a stored media goes up to `/{phone-number-id}/media` once per config
// and its WhatsApp id is reused until the 30-day lifetime is nearly over; a link goes as it is.
import { multipartBody } from "@/lib/net/multipart-body";
import type { ConfigOf, ResolvedCredentials } from "../config-record";
import {
  baseUrlOf,
  httpRequest,
  needCredential,
  needMedia,
  ProviderSendError,
  rec,
  str,
  type MediaAccess,
  type SendOptions,
} from "../adapter";
import { whatsappUploadType, type WhatsappMediaKind } from "./media-kinds";
import { graphError, WHATSAPP_GRAPH_VERSION } from "./graph";

const DAY_MS = 86_400_000;
/** Uploaded media ids expire after 30 days. */
export const WHATSAPP_MEDIA_LIFETIME_MS = 30 * DAY_MS;
/** A remembered id this close to expiry is not used: the message may be retried later still. */
const REUSE_MARGIN_MS = DAY_MS;
/** Graph codes for media WhatsApp could not fetch or find (131052 download, 131053 upload error). */
const MEDIA_ERRORS = new Set([131052, 131053]);

export interface UsedCopy {
  media: MediaAccess;
  mediaId: string;
  providerMediaId: string;
}

type Config = ConfigOf<"whatsapp">;

/** Uploads a stored media to the config's phone number and remembers WhatsApp's id for it. */
async function uploadMedia(config: Config, credentials: ResolvedCredentials, media: MediaAccess, mediaId: string, opts: SendOptions): Promise<string> {
  const { file, body } = await media.open(mediaId);
  const type = whatsappUploadType(file.contentType);
  const form = multipartBody(
    [
      ["messaging_product", "whatsapp"],
      ["type", type],
    ],
    { name: "file", filename: file.filename, contentType: type, size: file.size, body },
  );
  const answer = await httpRequest(`${baseUrlOf(config)}/${WHATSAPP_GRAPH_VERSION}/${encodeURIComponent(config.settings.phone_number_id)}/media`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${needCredential(credentials, "access_token_ref")}`,
      "content-type": form.contentType,
      "content-length": String(form.length),
      accept: "application/json",
    },
    body: form.body,
    duplex: "half",
    // Up to 100 MB: the call's timeout grows with the file (at least 1 MB/s).
    timeoutMs: opts.timeoutMs + Math.ceil(file.size / 1_000_000) * 1000,
  } as RequestInit & { timeoutMs: number });
  if (answer.status < 200 || answer.status >= 300) throw graphError(answer);
  const id = str(rec(answer.body)?.id);
  if (!id) throw new ProviderSendError({ kind: "retryable", code: "no_media_id", httpStatus: answer.status, message: "WhatsApp answered the upload without a media id" });
  const now = Date.now();
  await media.copies.save(mediaId, { providerMediaId: id, uploadedAt: new Date(now), expiresAt: new Date(now + WHATSAPP_MEDIA_LIFETIME_MS) });
  return id;
}

/** WhatsApp's id of a stored media for this config: the remembered one while it lives, else a new upload. */
async function providerMediaId(config: Config, credentials: ResolvedCredentials, mediaId: string, opts: SendOptions): Promise<{ id: string; copy?: UsedCopy }> {
  const media = needMedia(opts);
  const known = await media.copies.find(mediaId);
  if (known && known.expiresAt.getTime() - Date.now() > REUSE_MARGIN_MS) {
    return { id: known.providerMediaId, copy: { media, mediaId, providerMediaId: known.providerMediaId } };
  }
  return { id: await uploadMedia(config, credentials, media, mediaId, opts) };
}

/** The message content of a media message (`{type, <type>: {id|link, caption?, filename?}}`). */
export async function whatsappMediaContent(
  config: Config,
  credentials: ResolvedCredentials,
  m: Record<string, unknown>,
  opts: SendOptions,
): Promise<{ content: Record<string, unknown>; copy?: UsedCopy }> {
  const kind = str(m.type) as WhatsappMediaKind | undefined;
  if (!kind) throw new ProviderSendError({ kind: "rejected", code: "payload_invalid", httpStatus: null, message: "The media message has no type" });
  const caption = kind === "audio" || kind === "sticker" ? undefined : str(m.caption);
  let filename = kind === "document" ? str(m.filename) : undefined;
  let ref: Record<string, string>;
  let copy: UsedCopy | undefined;
  const link = str(m.link);
  const stored = str(m.media_id);
  if (link) ref = { link };
  else if (stored) {
    const found = await providerMediaId(config, credentials, stored, opts);
    ref = { id: found.id };
    copy = found.copy;
    if (kind === "document" && !filename) filename = (await needMedia(opts).describe(stored)).filename;
  } else {
    throw new ProviderSendError({ kind: "rejected", code: "payload_invalid", httpStatus: null, message: "The media message has neither media_id nor link" });
  }
  return { content: { type: kind, [kind]: { ...ref, ...(caption ? { caption } : {}), ...(filename ? { filename } : {}) } }, copy };
}

/**
 * After a send that used a remembered upload failed: when WhatsApp says the media is the
 * problem, the copy is forgotten and the error made retryable, so the next attempt uploads again.
 */
export async function forgetBrokenCopy(copy: UsedCopy, err: ProviderSendError, _opts: SendOptions): Promise<ProviderSendError | null> {
  if (!MEDIA_ERRORS.has(Number(err.code))) return null;
  await copy.media.copies.forget(copy.mediaId, copy.providerMediaId);
  return new ProviderSendError({ kind: "retryable", code: err.code, httpStatus: err.httpStatus, message: `${err.message} (the remembered media id was dropped; retrying with a new upload)`, cause: err });
}
