// WhatsApp Cloud API supported media (developers.facebook.com/docs/whatsapp/cloud-api/reference/media):
// what each media message type accepts. Sizes in decimal megabytes, the stricter reading.
import type { MediaKindLimit } from "../definition";

const MB = 1_000_000;

export const WHATSAPP_MEDIA_KINDS = {
  image: { label: "WhatsApp image", types: ["image/jpeg", "image/png"], maxBytes: 5 * MB },
  video: { label: "WhatsApp video", types: ["video/mp4", "video/3gpp"], maxBytes: 16 * MB },
  audio: {
    label: "WhatsApp audio",
    // aac, amr, mp3, m4a (sniffed as audio/x-m4a) and OGG with the opus codec (sniffed as audio/opus).
    types: ["audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/x-m4a", "audio/ogg", "audio/opus"],
    maxBytes: 16 * MB,
  },
  document: {
    label: "WhatsApp document",
    types: [
      "text/plain",
      "application/pdf",
      "application/msword",
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      "application/vnd.ms-excel",
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "application/vnd.ms-powerpoint",
      "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ],
    maxBytes: 100 * MB,
  },
  // Static stickers; animated ones may be 500 KB, but the bytes alone do not say which a webp is.
  sticker: { label: "WhatsApp sticker", types: ["image/webp"], maxBytes: 100_000 },
} as const satisfies Record<string, MediaKindLimit>;

export type WhatsappMediaKind = keyof typeof WHATSAPP_MEDIA_KINDS;
export const whatsappMediaKinds = Object.keys(WHATSAPP_MEDIA_KINDS) as WhatsappMediaKind[];

/** The type WhatsApp's upload expects for a sniffed alias. */
export function whatsappUploadType(contentType: string): string {
  if (contentType === "audio/x-m4a") return "audio/mp4";
  if (contentType === "audio/opus") return "audio/ogg";
  return contentType;
}
