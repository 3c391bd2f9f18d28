// Email attachments named by media id, read for the email adapters (SendGrid inlines them as
// base64 in JSON, Mailgun as multipart files). The accept-time check kept the message within
// the provider's size limit, so reading them whole is bounded.
import { needMedia, rec, str, type SendOptions } from "./adapter";

export interface LoadedAttachment {
  filename: string;
  contentType: string;
  disposition: "attachment" | "inline";
  contentId?: string;
  bytes: Buffer;
}

export async function loadAttachments(payload: Record<string, unknown>, opts: SendOptions): Promise<LoadedAttachment[]> {
  const list = Array.isArray(payload.attachments) ? payload.attachments.map(rec).filter((a) => a !== undefined) : [];
  if (list.length === 0) return [];
  const media = needMedia(opts);
  const out: LoadedAttachment[] = [];
  for (const a of list) {
    const id = str(a.media_id);
    if (!id) continue;
    const { file, bytes } = await media.read(id);
    const inline = a.disposition === "inline";
    out.push({
      filename: str(a.filename) ?? file.filename,
      contentType: file.contentType,
      disposition: inline ? "inline" : "attachment",
      ...(inline && str(a.content_id) ? { contentId: str(a.content_id) } : {}),
      bytes,
    });
  }
  return out;
}
