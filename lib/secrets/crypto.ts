import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

/** The version new ciphertexts are written under; stored per row so the master key can be rotated. */
export const CURRENT_KEY_VERSION = 1;

export class SecretStoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SecretStoreError";
  }
}

let cached: { raw: string; key: Buffer } | undefined;

/**
 * HERALD_MASTER_KEY: 32 random bytes, base64. `npm start` generates one into .data/secrets.json
 * when none is set (and says so); production must set it and keep it safe.
 */
export function masterKey(version = CURRENT_KEY_VERSION): Buffer {
  if (version !== CURRENT_KEY_VERSION) throw new SecretStoreError(`No master key for key version ${version}`);
  const raw = process.env.HERALD_MASTER_KEY;
  if (!raw) throw new SecretStoreError("HERALD_MASTER_KEY is not set: the secret store cannot encrypt or decrypt");
  if (cached?.raw === raw) return cached.key;
  const key = Buffer.from(raw, "base64");
  if (key.length !== 32) throw new SecretStoreError("HERALD_MASTER_KEY must be 32 bytes, base64-encoded");
  cached = { raw, key };
  return key;
}

export interface Sealed {
  ciphertext: string;
  iv: string;
  authTag: string;
  keyVersion: number;
}

/**
 * AES-256-GCM with a fresh 96-bit nonce. `aad` binds the ciphertext to its row (tenant + secret
 * id), so a ciphertext copied into another tenant's row fails authentication.
 */
export function seal(plaintext: string, aad: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", masterKey(), iv);
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return {
    ciphertext: ciphertext.toString("base64"),
    iv: iv.toString("base64"),
    authTag: cipher.getAuthTag().toString("base64"),
    keyVersion: CURRENT_KEY_VERSION,
  };
}

export function unseal(sealed: Sealed, aad: string): string {
  const iv = Buffer.from(sealed.iv, "base64");
  const tag = Buffer.from(sealed.authTag, "base64");
  if (iv.length !== 12 || tag.length !== 16) throw new SecretStoreError("Stored secret is malformed");
  try {
    const decipher = createDecipheriv("aes-256-gcm", masterKey(sealed.keyVersion), iv, { authTagLength: 16 });
    decipher.setAAD(Buffer.from(aad, "utf8"));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, "base64")), decipher.final()]).toString("utf8");
  } catch (err) {
    // Deliberately vague: the cause is a wrong key or tampered data, and neither detail helps a caller.
    throw new SecretStoreError("Stored secret failed authentication (wrong master key or tampered data)", { cause: err });
  }
}

export function secretAad(tenantId: string, secretId: string): string {
  return `herald-secret:v1:${tenantId}:${secretId}`;
}

const derived = new Map<string, { master: Buffer; key: Buffer }>();

/**
 * A 32-byte key for one purpose (`info`, e.g. "herald/unsubscribe-token/v1"), derived from the
 * master key with HKDF-SHA256, so no second secret has to be managed; recomputed when the master
 * key changes.
 */
export function derivedKey(info: string): Buffer {
  const master = masterKey();
  const hit = derived.get(info);
  if (hit?.master === master) return hit.key;
  const key = Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), info, 32));
  derived.set(info, { master, key });
  return key;
}
