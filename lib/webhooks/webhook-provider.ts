import { WebhookRejected } from "./types";
import type { ProviderConfigRecord, ResolvedCredentials } from "@/lib/providers/config-record";
import type { WebhookVerification } from "@/db/schema/webhooks";
import type { NormalizedEvent } from "./types";

export interface IncomingWebhook {
  config: ProviderConfigRecord;
  credentials: ResolvedCredentials;
  headers: Headers;
  rawBody: Buffer;
  /** The URL the provider was given (public origin + path + query), for URL-signing providers. */
  publicUrl: string;
  /** `?token=` of the request, for providers secured by a callback token. */
  token: string | null;
  now: number;
}

/**
 * What a verification proved beyond "signed by the provider". A signature over a timestamp and a
 * nonce but not the body names that nonce here: Herald accepts each nonce once per config.
 */
export interface VerifiedWebhook {
  replayNonce?: { nonce: string; signedAt: Date };
}

/**
 * One provider's inbound webhook: `verify` runs on the raw bytes before anything is parsed and
 * throws WebhookRejected(401) on any doubt; `parse` turns the verified body into events,
 * dropping event types Herald does not act on.
 */
export interface WebhookProvider {
  verification: WebhookVerification;
  verify(req: IncomingWebhook): Promise<VerifiedWebhook | void> | VerifiedWebhook | void;
  parse(req: IncomingWebhook): NormalizedEvent[];
  /** The answer the provider expects, when not Herald's JSON receipt (46elks would SMS a body back; Twilio reads TwiML). */
  reply?: () => Response;
  /** A GET subscription check (WhatsApp's hub.challenge): the text to echo; throws WebhookRejected(403) on a mismatch. */
  challenge?: (query: URLSearchParams, credentials: ResolvedCredentials) => string;
}

export function jsonBody(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    throw new WebhookRejected(400, "The body is not valid JSON");
  }
}

export function formBody(raw: Buffer): URLSearchParams {
  return new URLSearchParams(raw.toString("utf8"));
}

/** A form body as a plain object (first value of each name), kept as the stored payload. */
export function formRecord(params: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // Own keys only: `constructor` or `__proto__` are names like any other, not Object's members.
  for (const [k, v] of params) if (!Object.hasOwn(out, k)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}
