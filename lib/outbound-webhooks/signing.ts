// Standard Webhooks signing: `whsec_` secrets and the `v1,<base64 HMAC-SHA256>` signature over "{id}.{timestamp}.{body}".
import { createHmac, randomBytes } from "node:crypto";

export const SECRET_PREFIX = "whsec_";

/** A new signing secret: 32 random bytes (the spec allows 24–64), serialized `whsec_<base64>`. */
export function generateWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString("base64")}`;
}

/** The HMAC key is the base64-decoded part after `whsec_`, not the string itself. */
export function secretKey(secret: string): Buffer {
  const b64 = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = Buffer.from(b64, "base64");
  if (key.length === 0) throw new Error("The webhook secret is empty");
  return key;
}

export function signPayload(secret: string, msg: { id: string; timestamp: number; body: string }): string {
  if (msg.id.includes(".")) throw new Error("webhook-id must not contain '.'");
  const mac = createHmac("sha256", secretKey(secret)).update(`${msg.id}.${msg.timestamp}.${msg.body}`).digest("base64");
  return `v1,${mac}`;
}

/**
 * The three headers of one attempt. During a rotation overlap every live secret signs, and the
 * signatures go space-delimited in one header, so receivers holding either secret verify.
 */
export function signatureHeaders(secrets: string[], msg: { id: string; timestamp: number; body: string }): Record<string, string> {
  return {
    "webhook-id": msg.id,
    "webhook-timestamp": String(msg.timestamp),
    "webhook-signature": secrets.map((s) => signPayload(s, msg)).join(" "),
  };
}
