// Webhook signatures exactly as each provider computes them (see PROVIDERS.md in the shared project documents).
import { createHmac, createPublicKey, generateKeyPairSync, sign, type KeyObject } from "node:crypto";

export interface EcdsaKeyPair {
  privateKey: KeyObject;
  /** base64 DER SubjectPublicKeyInfo, the format SendGrid shows tenants. */
  publicKeyBase64: string;
}

export function generateSendgridKeyPair(): EcdsaKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const der = publicKey.export({ type: "spki", format: "der" });
  return { privateKey, publicKeyBase64: der.toString("base64") };
}

/** SendGrid: base64 DER ECDSA(P-256, SHA-256) over timestamp + raw body. */
export function signSendgridEvent(privateKey: KeyObject, timestamp: string, body: string): string {
  return sign("sha256", Buffer.from(timestamp + body, "utf8"), {
    key: privateKey,
    dsaEncoding: "der",
  }).toString("base64");
}

/** Mailgun: hex HMAC-SHA256(signing key, timestamp + token). */
export function signMailgun(signingKey: string, timestamp: string, token: string): string {
  return createHmac("sha256", signingKey).update(timestamp + token).digest("hex");
}

/** Twilio: base64 HMAC-SHA1(auth token, url + sorted params as name+value). */
export function signTwilio(
  authToken: string,
  url: string,
  params: Record<string, string | string[]>,
): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name];
    const values = Array.isArray(value) ? [...new Set(value)].sort() : [value ?? ""];
    for (const v of values) data += name + v;
  }
  return createHmac("sha1", authToken).update(Buffer.from(data, "utf8")).digest("base64");
}

/** WhatsApp (Meta): "sha256=" + hex HMAC-SHA256(app secret, raw body). */
export function signWhatsapp(appSecret: string, body: string): string {
  return "sha256=" + createHmac("sha256", appSecret).update(body, "utf8").digest("hex");
}

export interface RsaKeyPair {
  privateKeyPem: string;
  publicKey: KeyObject;
}

export function generateServiceAccountKey(): RsaKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = privateKey.export({ type: "pkcs8", format: "pem" });
  return { privateKeyPem: typeof pem === "string" ? pem : pem.toString("utf8"), publicKey };
}

export function publicKeyFromPrivatePem(pem: string): KeyObject {
  return createPublicKey(pem);
}
