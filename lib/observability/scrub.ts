// Personal data and secrets out of anything Herald sends to an operator's tools (Sentry events,
// Slack alerts): by field name for structured data, by pattern for free text.

const EMAIL = /[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+/g;
// International numbers (+46 70 123 45 67, +1 (555) 010-9999), national ones written with a
// leading 0 (070-123 45 67), and bare runs of 9–15 digits; ids such as UUIDs are left alone
// because a match may not touch a letter, digit or dash on either side.
const PHONE = /(?<![\w-])(?:\+\d[\d ().-]{6,20}\d|0\d[\d ().-]{6,16}\d|\d{9,15})(?![\w-])/g;
// Credentials by shape: bearer values, Herald's own key formats, webhook secrets, JWTs, Slack hooks.
const BEARER = /\b(Bearer|Basic)\s+[\w.~+/=-]+/gi;
const HERALD_TOKENS = /\b(hk|htt|whsec|sk|pk|xox[abprs])_[\w-]{6,}/g;
const JWT = /\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]{5,}/g;
const SLACK_HOOK = /https:\/\/hooks\.slack\.com\/[^\s"'<>]+/g;
// Secrets in query strings or key=value text.
const SECRET_PARAM = /\b(token|secret|password|passwd|api_?key|apikey|auth|signature|sig|code|otp|pin)=([^&\s"']+)/gi;
// A code or PIN spelled out in prose: "Your code is 123456".
const CODE_IN_TEXT = /\b(code|pin|passcode|otp)(\D{1,20}?)(\d{4,10})\b/gi;

export const FILTERED = "[Filtered]";

/** Free text with emails, phone numbers, codes and anything credential-shaped replaced. */
export function scrubText(s: string): string {
  if (!s) return s;
  return s
    .replace(SLACK_HOOK, "https://hooks.slack.com/[Filtered]")
    .replace(BEARER, `$1 ${FILTERED}`)
    .replace(JWT, FILTERED)
    .replace(HERALD_TOKENS, `$1_${FILTERED}`)
    .replace(SECRET_PARAM, `$1=${FILTERED}`)
    .replace(CODE_IN_TEXT, `$1$2${FILTERED}`)
    .replace(EMAIL, "[email]")
    .replace(PHONE, "[phone]");
}

/**
 * Field names whose values are never sent, whatever they hold: credentials, and the content and
 * addresses of messages (bodies, recipients, codes).
 */
const SENSITIVE_KEY =
  /^(password|passwd|secret|token|access_?token|refresh_?token|auth|authorization|cookie|set-cookie|api_?key|apikey|private_?key|credentials?|signature|otp|pin|code_?hash|body|body_text|body_html|html|text|subject|message_body|content|payload|to|from|recipient|recipients|email|phone|phone_raw|whatsapp|name|first_name|last_name|data|attributes|context)$/i;

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY.test(key) || /secret|token|password|credential|api_?key/i.test(key);
}

/** A deep copy with sensitive fields filtered and every string scrubbed (bounded depth and size). */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return scrubText(value);
  if (value === null || typeof value !== "object") return value;
  if (depth > 8) return FILTERED;
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => scrubValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value).slice(0, 200)) out[k] = isSensitiveKey(k) ? FILTERED : scrubValue(v, depth + 1);
  return out;
}
