import { createHmac } from "node:crypto";
import { safeEqual } from "@/lib/webhooks/hmac";

/** Mailgun: hex HMAC-SHA256(webhook signing key, timestamp + token), compared in constant time. */
export function verifyMailgunSignature(input: { signingKey: string; timestamp: unknown; token: unknown; signature: unknown }): boolean {
  const { timestamp, token, signature } = input;
  if (typeof timestamp !== "string" || typeof token !== "string" || typeof signature !== "string") return false;
  if (!timestamp || !token || !signature) return false;
  const expected = createHmac("sha256", input.signingKey).update(timestamp + token).digest("hex");
  return safeEqual(expected, signature.toLowerCase());
}
