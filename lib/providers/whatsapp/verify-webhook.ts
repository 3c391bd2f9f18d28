import { createHmac } from "node:crypto";
import { safeEqual } from "@/lib/webhooks/hmac";

export const WHATSAPP_SIGNATURE_HEADER = "x-hub-signature-256";

/** Meta: `sha256=` + hex HMAC-SHA256(app secret, raw body). */
export function verifyWhatsappSignature(input: { appSecret: string; signature: string | null; rawBody: Buffer }): boolean {
  const sig = input.signature?.trim();
  if (!sig?.startsWith("sha256=")) return false;
  const expected = createHmac("sha256", input.appSecret).update(input.rawBody).digest("hex");
  return safeEqual(expected, sig.slice(7).toLowerCase());
}
