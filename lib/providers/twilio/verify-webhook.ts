import { createHash, createHmac } from "node:crypto";
import { safeEqual } from "@/lib/webhooks/hmac";

export const TWILIO_SIGNATURE_HEADER = "x-twilio-signature";

function sign(authToken: string, data: string) {
  return createHmac("sha1", authToken).update(Buffer.from(data, "utf8")).digest("base64");
}

/** url + every param name (sorted) followed by its values (deduplicated, sorted). */
export function twilioSignedData(url: string, params: URLSearchParams | null): string {
  let data = url;
  if (!params) return data;
  for (const name of [...new Set(params.keys())].sort()) {
    for (const v of [...new Set(params.getAll(name))].sort()) data += name + v;
  }
  return data;
}

/** The URL with and without the default port: Twilio may sign either form. */
function urlVariants(url: string): string[] {
  const u = new URL(url);
  const defaultPort = u.protocol === "https:" ? "443" : "80";
  if (u.port) {
    if (u.port !== defaultPort) return [url];
    const without = new URL(url);
    without.port = "";
    return [url, without.toString()];
  }
  return [url, url.replace(`${u.protocol}//${u.host}`, `${u.protocol}//${u.hostname}:${defaultPort}`)];
}

/**
 * X-Twilio-Signature: base64 HMAC-SHA1(auth token, full public URL + sorted form params). For a
 * JSON body the URL carries `bodySHA256`, the signature covers the URL alone and the body hash
 * is checked separately.
 */
export function verifyTwilioSignature(input: { authToken: string; signature: string | null; url: string; contentType: string | null; rawBody: Buffer }): boolean {
  if (!input.signature) return false;
  const isForm = (input.contentType ?? "").toLowerCase().includes("application/x-www-form-urlencoded");
  const bodyHash = new URL(input.url).searchParams.get("bodySHA256");
  for (const url of urlVariants(input.url)) {
    if (isForm) {
      if (safeEqual(sign(input.authToken, twilioSignedData(url, new URLSearchParams(input.rawBody.toString("utf8")))), input.signature)) return true;
    } else if (bodyHash !== null) {
      const actual = createHash("sha256").update(input.rawBody).digest("hex");
      if (safeEqual(sign(input.authToken, url), input.signature) && safeEqual(actual, bodyHash.toLowerCase())) return true;
    }
  }
  return false;
}
