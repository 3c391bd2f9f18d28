import { createHash } from "node:crypto";

/**
 * A UUID derived from its inputs (name-based, like UUIDv5), so relaying the same outbox row
 * twice produces the same job id and the engine drops the duplicate.
 */
export function deterministicUuid(...parts: string[]): string {
  const h = createHash("sha1").update(parts.join("\u0000")).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
