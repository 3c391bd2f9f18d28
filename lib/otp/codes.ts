// Generating, hashing, sealing and rendering codes. The plain code exists only in memory: at
// creation, and in the delivery step that hands it to the provider.
import { createHmac, hkdfSync, randomInt, timingSafeEqual } from "node:crypto";
import type { SealedCode } from "@/db/schema/otp";
import { masterKey, seal, unseal } from "@/lib/secrets/crypto";

/** n random decimal digits from the CSPRNG (each digit uniform: randomInt rejects biased draws). */
export function generateCode(length: number): string {
  let code = "";
  for (let i = 0; i < length; i++) code += String(randomInt(0, 10));
  return code;
}

let derived: { master: Buffer; key: Buffer } | undefined;

/** A key of its own for code hashes, derived from the master key (HKDF-SHA256), never stored. */
function hashKey(): Buffer {
  const master = masterKey();
  if (derived?.master === master) return derived.key;
  const key = Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), "herald-otp-code-hash:v1", 32));
  derived = { master, key };
  return key;
}

/** HMAC-SHA256 bound to the OTP row and generation, so a hash copied to another row never matches. */
export function hashCode(otpId: string, generation: number, code: string): string {
  return createHmac("sha256", hashKey()).update(`${otpId}:${generation}:${code}`).digest("hex");
}

/** Constant time: both sides are 32-byte HMACs, whatever the input's length. */
export function codeMatches(otpId: string, generation: number, code: string, storedHash: string): boolean {
  const a = Buffer.from(hashCode(otpId, generation, code), "hex");
  const b = Buffer.from(storedHash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}

const aad = (tenantId: string, otpId: string, generation: number) => `herald-otp:v1:${tenantId}:${otpId}:${generation}`;

export function sealCode(tenantId: string, otpId: string, generation: number, code: string): SealedCode {
  return seal(code, aad(tenantId, otpId, generation));
}

export function unsealCode(tenantId: string, otpId: string, generation: number, sealed: SealedCode): string {
  return unseal(sealed, aad(tenantId, otpId, generation));
}

export const DEFAULT_TEMPLATE = "Your code is {{code}}";
/** Built-in texts per language when the caller names a locale and no template. */
const localeTemplates: Record<string, string> = {
  en: DEFAULT_TEMPLATE,
  sv: "Din kod är {{code}}",
  tr: "Doğrulama kodunuz: {{code}}",
  de: "Ihr Code lautet {{code}}",
};

export function templateFor(template: string | undefined | null, locale: string | undefined | null): string {
  if (template) return template;
  const lang = locale?.toLowerCase().split(/[-_]/)[0] ?? "en";
  return localeTemplates[lang] ?? DEFAULT_TEMPLATE;
}

/** The text with the code in it: what the provider receives. */
export function renderText(template: string, code: string): string {
  return template.replaceAll("{{code}}", code);
}

/** The same text masked: what the message log stores. */
export function maskedText(template: string, length: number): string {
  return renderText(template, "*".repeat(length));
}
