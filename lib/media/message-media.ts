// The files of one message, for its detail: what arrived with it (inbound) and what it sends.
import { getDb } from "@/db";
import { findMediaByIds, listMessageMedia } from "@/db/queries/media";
import type { Message } from "@/db/schema/messages";
import type { MediaOut } from "@/lib/validations/media";
import { toMediaOut } from "./media";
import { mediaRefsOf } from "./send-media";

export async function messageMedia(tenantId: string, m: Pick<Message, "id" | "channel" | "payload">): Promise<MediaOut[]> {
  const ids = [...new Set(mediaRefsOf(m).map((r) => r.id))];
  const [linked, named] = await Promise.all([listMessageMedia(getDb(), { tenantId, messageId: m.id }), findMediaByIds(getDb(), { tenantId, ids })]);
  const seen = new Set<string>();
  return [...linked, ...named].filter((r) => !seen.has(r.id) && seen.add(r.id)).map(toMediaOut);
}
