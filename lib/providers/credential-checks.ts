// One cheap authenticated read per provider: proves the credentials work without sending anything.
import type { ProviderKind } from "@/db/schema/provider-configs";
import { createFcmMessaging } from "./transport/firebase";
import { createSendgridClient } from "./transport/sendgrid";
import { createTwilioClient } from "./transport/twilio";

export type CheckOutcome = "ok" | "auth" | "rejected" | "unreachable" | "provider_error";

export interface CheckResult {
  outcome: CheckOutcome;
  message: string;
  httpStatus: number | null;
}

export interface CheckInput {
  provider: ProviderKind;
  configId: string;
  settings: Record<string, unknown>;
  /** Decrypted values keyed by credential field; never logged or echoed. */
  credentials: Record<string, string>;
  apiBaseUrl: string | null;
  timeoutMs?: number;
}

export const defaultApiBaseUrls: Record<ProviderKind, string> = {
  sendgrid: "https://api.sendgrid.com",
  mailgun: "https://api.mailgun.net",
  elks: "https://api.46elks.com",
  twilio: "https://api.twilio.com",
  infobip: "https://api.infobip.com",
  fcm: "https://fcm.googleapis.com",
  onesignal: "https://api.onesignal.com",
  whatsapp: "https://graph.facebook.com",
};

/** Where requests for a config go: the override, else the account's own host, else the provider's. */
export function effectiveBaseUrl(provider: ProviderKind, settings: Record<string, unknown>, apiBaseUrl: string | null): string {
  if (apiBaseUrl) return apiBaseUrl.replace(/\/+$/, "");
  if (provider === "mailgun" && settings.region === "eu") return "https://api.eu.mailgun.net";
  if (provider === "infobip" && typeof settings.base_url === "string") return settings.base_url.replace(/\/+$/, "");
  return defaultApiBaseUrls[provider];
}

const WHATSAPP_GRAPH_VERSION = "v18.0";

export function classifyStatus(status: number): CheckOutcome {
  if (status >= 200 && status < 300) return "ok";
  if (status === 401 || status === 403) return "auth";
  if (status === 429 || status >= 500) return "provider_error";
  return "rejected";
}

/** The human part of a provider's error body, in each provider's own shape. */
export function providerMessage(body: unknown): string | undefined {
  if (typeof body === "string") return body.trim() || undefined;
  if (typeof body !== "object" || body === null) return undefined;
  // Each provider nests its message differently; probed defensively below.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const b = body as Record<string, any>;
  const candidates: unknown[] = [
    b.errors?.[0]?.message, // SendGrid
    typeof b.errors?.[0] === "string" ? b.errors[0] : undefined, // OneSignal
    b.error?.message, // Graph, Google
    b.requestError?.serviceException?.text, // Infobip
    b.requestError?.policyException?.text,
    b.message, // Mailgun, Twilio
    b.error_description,
    typeof b.error === "string" ? b.error : undefined,
  ];
  const found = candidates.find((c) => typeof c === "string" && c.trim() !== "");
  return typeof found === "string" ? found.trim() : undefined;
}

async function httpCheck(
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the provider's own JSON shape
  okMessage: (body: any) => string,
): Promise<CheckResult> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: "application/json", ...headers }, signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
  } catch (err) {
    return unreachable(err);
  }
  const text = await res.text().catch(() => "");
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // plain-text bodies (46elks, Mailgun's 401) stay text
  }
  const outcome = classifyStatus(res.status);
  if (outcome === "ok") return { outcome, message: okMessage(body ?? {}), httpStatus: res.status };
  return { outcome, message: providerMessage(body) ?? `HTTP ${res.status} ${res.statusText}`.trim(), httpStatus: res.status };
}

function unreachable(err: unknown): CheckResult {
  const e = err as { name?: string; cause?: { code?: string }; code?: string };
  const reason = e?.name === "TimeoutError" ? "timed out" : (e?.cause?.code ?? e?.code ?? "connection failed");
  return { outcome: "unreachable", message: `Could not reach the provider (${reason})`, httpStatus: null };
}

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;

async function check(input: CheckInput): Promise<CheckResult> {
  const { settings: s, credentials: c } = input;
  const timeoutMs = input.timeoutMs ?? 10_000;
  const base = effectiveBaseUrl(input.provider, s, input.apiBaseUrl);
  const need = (field: string) => {
    const value = c[field];
    if (!value) throw new Error(`missing credential ${field}`);
    return value;
  };
  switch (input.provider) {
    case "sendgrid": {
      const client = createSendgridClient({ apiKey: need("api_key_ref"), apiBaseUrl: input.apiBaseUrl ?? undefined, timeoutMs });
      try {
        const [res] = await client.request({ method: "GET", url: "/v3/scopes" });
        return { outcome: "ok", message: "SendGrid accepted the API key", httpStatus: res.statusCode };
      } catch (err) {
        const e = err as { code?: unknown; response?: { body?: unknown } };
        if (typeof e.code === "number") {
          return { outcome: classifyStatus(e.code), message: providerMessage(e.response?.body) ?? `HTTP ${e.code}`, httpStatus: e.code };
        }
        return unreachable(err);
      }
    }
    case "mailgun":
      return httpCheck(
        `${base}/v3/domains/${encodeURIComponent(String(s.domain))}`,
        { authorization: basic("api", need("api_key_ref")) },
        timeoutMs,
        (b) => `Mailgun accepted the API key; domain ${String(s.domain)} is ${b?.domain?.state ?? "known"}`,
      );
    case "elks":
      return httpCheck(
        `${base}/a1/me`,
        { authorization: basic(need("api_username_ref"), need("api_password_ref")) },
        timeoutMs,
        () => "46elks accepted the API credentials",
      );
    case "twilio": {
      const sid = need("account_sid_ref");
      const client = createTwilioClient({ accountSid: sid, authToken: need("auth_token_ref"), apiBaseUrl: input.apiBaseUrl ?? undefined, timeoutMs });
      try {
        const account = await client.api.v2010.accounts(sid).fetch();
        if (account.status !== "active") {
          return { outcome: "rejected", message: `The Twilio account is ${account.status}`, httpStatus: 200 };
        }
        return { outcome: "ok", message: "Twilio accepted the account SID and auth token", httpStatus: 200 };
      } catch (err) {
        const e = err as { status?: unknown; message?: string };
        if (typeof e.status === "number") {
          return { outcome: classifyStatus(e.status), message: e.message || `HTTP ${e.status}`, httpStatus: e.status };
        }
        return unreachable(err);
      }
    }
    case "infobip":
      return httpCheck(`${base}/account/1/balance`, { authorization: `App ${need("api_key_ref")}` }, timeoutMs, () => "Infobip accepted the API key");
    case "fcm": {
      let serviceAccount: Record<string, unknown>;
      try {
        serviceAccount = JSON.parse(need("service_account_json_ref")) as Record<string, unknown>;
      } catch {
        return { outcome: "rejected", message: "The service account JSON is not valid JSON", httpStatus: null };
      }
      if (serviceAccount.project_id !== s.project_id) {
        return { outcome: "rejected", message: `The service account belongs to project ${String(serviceAccount.project_id)}, not ${String(s.project_id)}`, httpStatus: null };
      }
      try {
        const messaging = await createFcmMessaging({ serviceAccountJson: serviceAccount, apiBaseUrl: input.apiBaseUrl ?? undefined, appName: input.configId });
        // A dry run to a topic: FCM authenticates and validates, and delivers nothing.
        await messaging.send({ topic: "herald-credential-check", notification: { title: "Herald credential check" } }, true);
        return { outcome: "ok", message: "FCM accepted the service account (dry run)", httpStatus: 200 };
      } catch (err) {
        return classifyFirebaseError(err);
      }
    }
    case "onesignal":
      return httpCheck(
        `${base}/notifications?app_id=${encodeURIComponent(String(s.app_id))}&limit=1`,
        { authorization: `Key ${need("rest_api_key_ref")}` },
        timeoutMs,
        () => "OneSignal accepted the REST API key",
      );
    case "whatsapp":
      return httpCheck(
        `${base}/${WHATSAPP_GRAPH_VERSION}/${encodeURIComponent(String(s.phone_number_id))}`,
        { authorization: `Bearer ${need("access_token_ref")}` },
        timeoutMs,
        (b) => `WhatsApp accepted the access token${b?.verified_name ? ` (${String(b.verified_name)})` : ""}`,
      );
  }
}

function classifyFirebaseError(err: unknown): CheckResult {
  const e = err as { code?: string; message?: string; httpResponse?: { status?: number } };
  const code = typeof e.code === "string" ? e.code : "";
  const message = e.message || code || "FCM rejected the request";
  if (code === "app/invalid-credential" || /invalid_grant|invalid_client|invalid jwt/i.test(message)) {
    if (/ECONNREFUSED|ENOTFOUND|ETIMEDOUT|socket hang up|network/i.test(message)) return { outcome: "unreachable", message: "Could not reach the provider (token endpoint)", httpStatus: null };
    return { outcome: "auth", message, httpStatus: 401 };
  }
  const status = e.httpResponse?.status;
  if (/authentication|third-party-auth|mismatched-credential|sender-id-mismatch|permission/i.test(code)) return { outcome: "auth", message, httpStatus: status ?? 401 };
  if (code === "app/network-error" || code === "messaging/app/network-error" || /network/i.test(code)) return { outcome: "unreachable", message: "Could not reach the provider", httpStatus: null };
  if (/unavailable|internal|quota/i.test(code)) return { outcome: "provider_error", message, httpStatus: status ?? null };
  return { outcome: "rejected", message, httpStatus: status ?? null };
}

/**
 * Runs the provider's credential check. The message is the provider's own words, cut to 500
 * characters, with any credential value it might echo replaced.
 */
export async function checkProviderCredentials(input: CheckInput): Promise<CheckResult> {
  let result: CheckResult;
  try {
    result = await check(input);
  } catch (err) {
    result = { outcome: "rejected", message: err instanceof Error ? err.message : "The check failed", httpStatus: null };
  }
  return { ...result, message: redactValues(result.message, Object.values(input.credentials)).slice(0, 500) };
}

export function redactValues(text: string, values: string[]): string {
  let out = text;
  for (const v of values) {
    if (v.length >= 4) out = out.split(v).join("[redacted]");
  }
  return out;
}
