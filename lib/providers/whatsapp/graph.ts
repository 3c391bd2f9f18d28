// The Graph API version Herald speaks and how its error answers map to send errors.
import { httpError, rec, type HttpAnswer, type ProviderSendError } from "../adapter";

export const WHATSAPP_GRAPH_VERSION = "v18.0";

// Graph error codes: https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes
const INVALID_RECIPIENT = new Set([131026, 131030, 131021]);
const RATE = new Set([4, 80007, 130429, 131048, 131056]);
const AUTH = new Set([0, 3, 10, 190, 200, 131005]);
const RETRY = new Set([1, 2, 131000, 131016]);

/** A Graph error answer as a send error, by Graph's own codes. */
export function graphError(answer: HttpAnswer): ProviderSendError {
  const code = Number(rec(rec(answer.body)?.error)?.code);
  if (INVALID_RECIPIENT.has(code)) return httpError(answer, { kind: "invalid_recipient", code: String(code) });
  if (RATE.has(code)) return httpError(answer, { kind: "rate_limited", code: String(code) });
  if (AUTH.has(code) && (answer.status === 401 || answer.status === 403 || code === 190)) return httpError(answer, { kind: "auth", code: String(code) });
  if (RETRY.has(code) && answer.status >= 500) return httpError(answer, { kind: "retryable", code: String(code) });
  return httpError(answer, Number.isFinite(code) ? { code: String(code) } : {});
}
