import { createPublicKey, verify, type KeyObject } from "node:crypto";

export const SENDGRID_SIGNATURE_HEADER = "x-twilio-email-event-webhook-signature";
export const SENDGRID_TIMESTAMP_HEADER = "x-twilio-email-event-webhook-timestamp";

const keyCache = new Map<string, KeyObject>();

/** The verification key SendGrid shows: base64 DER SubjectPublicKeyInfo (PEM armour tolerated). */
export function sendgridPublicKey(value: string): KeyObject {
  let key = keyCache.get(value);
  if (!key) {
    const b64 = value.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, "").replace(/\s+/g, "");
    key = createPublicKey({ key: Buffer.from(b64, "base64"), format: "der", type: "spki" });
    if (key.asymmetricKeyType !== "ec") throw new Error("not an EC public key");
    if (keyCache.size > 1000) keyCache.clear();
    keyCache.set(value, key);
  }
  return key;
}

/**
 * SendGrid Signed Event Webhook: ECDSA P-256/SHA-256 (DER, base64) over the timestamp header
 * followed directly by the raw body bytes — exactly as received, trailing CRLF included.
 */
export function verifySendgridSignature(input: { publicKey: string; signature: string | null; timestamp: string | null; rawBody: Buffer }): boolean {
  if (!input.signature || !input.timestamp) return false;
  try {
    const key = sendgridPublicKey(input.publicKey);
    const signed = Buffer.concat([Buffer.from(input.timestamp, "utf8"), input.rawBody]);
    return verify("sha256", signed, { key, dsaEncoding: "der" }, Buffer.from(input.signature, "base64"));
  } catch {
    return false;
  }
}
