// Netgsm's answer codes and what each means for delivery. Netgsm puts the code in the JSON body
// (`{code, description}`), whatever the HTTP status.
import { ProviderSendError, type ProviderSendErrorKind } from "../adapter";

/**
 * Code → Herald's class, and why:
 * - 20 text problem / too long: the message itself is wrong; another attempt or provider sends the same text → rejected.
 * - 30 bad credentials, no API access, IP not allowed: the config cannot send anything → auth (config to error, fall back).
 * - 40 sender header not defined: also a config fault every message hits; falling back lets Twilio carry it → auth.
 * - 50 IYS restriction: the recipient has not consented in IYS; no provider may send it the commercial message → invalid_recipient.
 * - 51 no IYS brand: the account cannot send commercial messages at all, and a fallback would break the same rule → rejected.
 * - 70 bad or missing parameter: the request is malformed; a retry repeats it → rejected.
 * - 80 account send-rate limit, 85 more than 20 jobs to one number within a minute: both clear within a minute → rate_limited.
 * - 100 / 101 system error: Netgsm's side; the same call later may succeed → retryable.
 */
export const netgsmCodeKinds: Record<string, ProviderSendErrorKind> = {
  "20": "rejected",
  "30": "auth",
  "40": "auth",
  "50": "invalid_recipient",
  "51": "rejected",
  "70": "rejected",
  "80": "rate_limited",
  "85": "rate_limited",
  "100": "retryable",
  "101": "retryable",
};

/** Both limits are per minute and Netgsm sends no Retry-After: wait the rest of a window. */
const RATE_LIMIT_RETRY_MS = 60_000;

export function netgsmCodeError(code: string, httpStatus: number, description: string | undefined): ProviderSendError {
  // An unknown code (Netgsm's 5000 "undefined") on a 5xx is Netgsm's side; otherwise don't repeat a call we can't read.
  const kind = netgsmCodeKinds[code] ?? (httpStatus >= 500 ? "retryable" : "rejected");
  return new ProviderSendError({
    kind,
    code,
    httpStatus,
    message: description ? `Netgsm ${code}: ${description}` : `Netgsm answered code ${code}`,
    retryAfterMs: kind === "rate_limited" ? RATE_LIMIT_RETRY_MS : null,
  });
}

/** Netgsm's `no`: the national mobile number without the country code (5XXXXXXXXX). */
export function netgsmNumber(e164: string): string | null {
  const m = /^\+90(5\d{9})$/.exec(e164);
  return m ? m[1]! : null;
}
