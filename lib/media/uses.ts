// What an upload can be checked against ("use"), built from the providers' media limits so a
// provider's numbers live in its own folder: `<channel>_<kind>` (whatsapp_image …) per media kind,
// `<channel>_attachment` where a channel's providers cap the message size.
import type { Channel } from "@/db/schema/enum-values";
import { providerDefinitions } from "@/lib/providers/definitions";
import type { ProviderDefinitionInput } from "@/lib/providers/definition";
import { positiveNumberEnv } from "@/lib/env";

export interface MediaUse {
  id: string;
  label: string;
  /** null: any type. */
  types: readonly string[] | null;
  maxBytes: number;
}

/** The largest object Herald stores at all (WhatsApp documents go to 100 MB). */
export function maxMediaBytes(env: NodeJS.ProcessEnv = process.env): number {
  return Math.floor(positiveNumberEnv("HERALD_MEDIA_MAX_BYTES", 100_000_000, env));
}

/** Raw bytes that fit in `encoded` bytes of base64. */
export const base64Capacity = (encoded: number) => Math.floor(encoded / 4) * 3;
/** Bytes of `raw` bytes once base64-encoded (how the email providers count attachments). */
export const base64Size = (raw: number) => Math.ceil(raw / 3) * 4;

function buildUses(): Map<string, MediaUse> {
  const uses = new Map<string, MediaUse>();
  const attachment = new Map<Channel, number>();
  for (const d of Object.values(providerDefinitions) as ProviderDefinitionInput[]) {
    for (const [kind, limit] of Object.entries(d.media?.kinds ?? {})) {
      const id = `${d.channel}_${kind}`;
      const seen = uses.get(id);
      // Two providers of a channel with the same kind: the upload must suit both.
      uses.set(id, {
        id,
        label: seen?.label ?? limit.label,
        types: seen?.types ? seen.types.filter((t) => limit.types.includes(t)) : limit.types,
        maxBytes: Math.min(seen?.maxBytes ?? Infinity, limit.maxBytes),
      });
    }
    if (d.media?.maxMessageBytes) attachment.set(d.channel, Math.max(attachment.get(d.channel) ?? 0, d.media.maxMessageBytes));
  }
  for (const [channel, bytes] of attachment) {
    // An attachment alone must fit (encoded) in the largest message one of the channel's providers takes.
    uses.set(`${channel}_attachment`, { id: `${channel}_attachment`, label: `${channel === "email" ? "Email" : channel} attachment`, types: null, maxBytes: base64Capacity(bytes) });
  }
  return uses;
}

export const mediaUses: ReadonlyMap<string, MediaUse> = buildUses();
export const mediaUseIds = [...mediaUses.keys()] as [string, ...string[]];
