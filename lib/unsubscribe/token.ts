// Signed one-click unsubscribe tokens (RFC 8058): what to unsubscribe travels in the URL, an HMAC proves Herald made it.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Channel } from "@/db/schema/messages";
import { derivedKey } from "@/lib/secrets/crypto";
import { publicBaseUrl } from "@/lib/providers/callback-urls";

export interface UnsubscribeClaims {
  tenantId: string;
  /** The contact the message went to, when the send named one. */
  contactId: string | null;
  /** The address the message went to (always set: address-only sends unsubscribe the address). */
  address: string;
  channel: Channel;
  /** The subscription topic (marketing, reminders …). */
  topic: string;
  issuedAt: number;
}

/** HMAC with a key derived from the master key (no second secret to manage). */
const sign = (body: string) => createHmac("sha256", derivedKey("herald/unsubscribe-token/v1")).update(body).digest().subarray(0, 16).toString("base64url");

/** `v1.<base64url JSON>.<base64url HMAC-SHA256, 128 bits>`: short enough for a header, tamper-evident. */
export function signUnsubscribeToken(claims: Omit<UnsubscribeClaims, "issuedAt"> & { issuedAt?: number }): string {
  const payload = [claims.tenantId, claims.contactId ?? "", claims.address, claims.channel, claims.topic, claims.issuedAt ?? Math.floor(Date.now() / 1000)];
  const body = `v1.${Buffer.from(JSON.stringify(payload)).toString("base64url")}`;
  return `${body}.${sign(body)}`;
}

/** The claims of a genuine token, or null (malformed, forged or signed with another key). */
export function verifyUnsubscribeToken(token: string): UnsubscribeClaims | null {
  if (token.length > 2048) return null;
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] !== "v1") return null;
  const body = `${parts[0]}.${parts[1]}`;
  const given = Buffer.from(parts[2]!, "base64url");
  const expected = Buffer.from(sign(body), "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const [tenantId, contactId, address, channel, topic, issuedAt] = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as unknown[];
    if (typeof tenantId !== "string" || typeof address !== "string" || typeof channel !== "string" || typeof topic !== "string") return null;
    return { tenantId, contactId: typeof contactId === "string" && contactId ? contactId : null, address, channel: channel as Channel, topic, issuedAt: Number(issuedAt) };
  } catch {
    return null;
  }
}

export function unsubscribeUrl(token: string): string {
  return `${publicBaseUrl()}/u/${token}`;
}

/** RFC 8058 headers: the HTTPS URL a mail client POSTs `List-Unsubscribe=One-Click` to. */
export function listUnsubscribeHeaders(url: string): Record<string, string> {
  return { "List-Unsubscribe": `<${url}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" };
}
