import { WebhookRejected } from "../types";
import type { ProviderConfigRecord, ResolvedCredentials } from "@/lib/providers/configs";
import type { WebhookVerification } from "@/db/schema/webhooks";
import type { NormalizedEvent } from "../types";

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
 * One provider's inbound webhook: `verify` runs on the raw bytes before anything is parsed and
 * throws WebhookRejected(401) on any doubt; `parse` turns the verified body into events,
 * dropping event types Herald does not act on.
 */
export interface WebhookProvider {
  verification: WebhookVerification;
  verify(req: IncomingWebhook): Promise<void> | void;
  parse(req: IncomingWebhook): NormalizedEvent[];
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
  for (const [k, v] of params) if (!(k in out)) out[k] = v;
  return out;
}
