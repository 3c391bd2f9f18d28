// Herald-signed file URLs: the filesystem backend's answer to S3 presigned URLs. What the URL
// allows travels in it (operation, object key, expiry, limits); an HMAC proves Herald made it.
import { createHmac, timingSafeEqual } from "node:crypto";
import { publicBaseUrl } from "@/lib/providers/callback-urls";
import { derivedKey } from "@/lib/secrets/crypto";
import { isObjectKey } from "./storage";

export type SignedFileClaims =
  | { op: "get"; key: string; expiresAt: number; contentType: string; disposition: "inline" | "attachment"; filename: string }
  | { op: "put"; key: string; expiresAt: number; maxBytes: number };

const sign = (body: string) => createHmac("sha256", derivedKey("herald/media-file-url/v1")).update(body).digest().subarray(0, 16).toString("base64url");

export function signFileToken(claims: SignedFileClaims): string {
  const payload =
    claims.op === "get"
      ? ["get", claims.key, claims.expiresAt, claims.contentType, claims.disposition, claims.filename]
      : ["put", claims.key, claims.expiresAt, claims.maxBytes];
  const body = `v1.${Buffer.from(JSON.stringify(payload)).toString("base64url")}`;
  return `${body}.${sign(body)}`;
}

/** The claims of a genuine, unexpired token, or null. */
export function verifyFileToken(token: string, now = Date.now()): SignedFileClaims | null {
  if (token.length > 4096) return null;
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] !== "v1") return null;
  const body = `${parts[0]}.${parts[1]}`;
  const given = Buffer.from(parts[2]!, "base64url");
  const expected = Buffer.from(sign(body), "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let p: unknown[];
  try {
    p = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as unknown[];
  } catch {
    return null;
  }
  const [op, key, expiresAt] = p;
  if (typeof key !== "string" || !isObjectKey(key) || typeof expiresAt !== "number" || expiresAt * 1000 < now) return null;
  if (op === "get" && typeof p[3] === "string" && (p[4] === "inline" || p[4] === "attachment") && typeof p[5] === "string") {
    return { op, key, expiresAt, contentType: p[3], disposition: p[4], filename: p[5] };
  }
  if (op === "put" && typeof p[3] === "number") return { op, key, expiresAt, maxBytes: p[3] };
  return null;
}

export function signedFileUrl(claims: SignedFileClaims): string {
  return `${publicBaseUrl()}/api/media/files/${signFileToken(claims)}`;
}
