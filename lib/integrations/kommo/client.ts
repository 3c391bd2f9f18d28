// Kommo's HTTP API: token exchange and the contacts list, at most 7 requests a second per
// account (the shared limiter), 429/5xx/network errors retried with backoff, every call logged.
import { errorText } from "@/lib/logger";
import { SharedRequestLimiter } from "@/lib/rate-limit/request-limiter";
import { IntegrationPermanentError, IntegrationTransientError, KommoGrantRevokedError } from "./errors";
import { logIntegrationRequest } from "./request-log";

/** `https://{subdomain}.kommo.com` unless HERALD_KOMMO_BASE_URL (with a `{subdomain}` slot) points elsewhere (the simulator). */
export function kommoApiBase(subdomain: string, env: NodeJS.ProcessEnv = process.env): string {
  return (env.HERALD_KOMMO_BASE_URL || "https://{subdomain}.kommo.com").replace("{subdomain}", subdomain).replace(/\/+$/, "");
}

/** Kommo's consent page (HERALD_KOMMO_OAUTH_URL overrides it). */
export function kommoConsentUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.HERALD_KOMMO_OAUTH_URL || "https://www.kommo.com/oauth";
}

// Kommo allows 7 requests a second per account; shared by every process. A bucket of 1 refilled
// 6 times a second never lets more than 7 through in any one-second window (a burst of 7 on top
// of a 7/s refill would allow 14).
const kommoLimiter = new SharedRequestLimiter("kommo", { ratePerSecond: 6, burst: 1 }, { leaseMs: 0 });

const ATTEMPTS = 4;
const TIMEOUT_MS = 30_000;

export interface KommoCallTarget {
  tenantId: string;
  integrationId: string;
  subdomain: string;
}

interface CallSpec {
  operation: string;
  method: "GET" | "POST";
  url: string;
  headers?: Record<string, string>;
  body?: Record<string, unknown>;
  /** What the request log shows of the input (redacted again on write). */
  logInput: Record<string, unknown>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function takeKommoSlot(subdomain: string): Promise<void> {
  for (;;) {
    const wait = await kommoLimiter.take(subdomain);
    if (wait <= 0) return;
    await sleep(Math.ceil(wait * 1000));
  }
}

function backoffMs(attempt: number, retryAfter: string | null): number {
  const seconds = Number(retryAfter);
  if (retryAfter && Number.isFinite(seconds)) return Math.min(5_000, Math.max(100, seconds * 1000));
  return Math.min(5_000, 250 * 2 ** attempt);
}

/**
 * One logical call: throttled, retried in place on 429/5xx/network (up to 4 tries), each try
 * logged. 401 → KommoGrantRevokedError; another 4xx → IntegrationPermanentError.
 */
export async function callKommo(target: KommoCallTarget, spec: CallSpec): Promise<{ status: number; body: unknown }> {
  let lastError = "";
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    await takeKommoSlot(target.subdomain);
    const started = performance.now();
    let status: number | null = null;
    let body: unknown = null;
    let retryAfter: string | null = null;
    try {
      const res = await fetch(spec.url, {
        method: spec.method,
        headers: { accept: "application/json", ...(spec.body ? { "content-type": "application/json" } : {}), ...spec.headers },
        body: spec.body ? JSON.stringify(spec.body) : undefined,
        signal: AbortSignal.timeout(TIMEOUT_MS),
        redirect: "manual",
      });
      status = res.status;
      retryAfter = res.headers.get("retry-after");
      const text = await res.text();
      body = text ? safeJson(text) : null;
    } catch (err) {
      lastError = errorText(err);
    }
    const ok = status !== null && status >= 200 && status < 300;
    await logIntegrationRequest({
      ...ids(target),
      service: "kommo",
      operation: spec.operation,
      method: spec.method,
      input: { ...spec.logInput, attempt: attempt + 1 },
      status,
      ok,
      summary: ok ? summarize(body) : status === null ? `network error: ${lastError}` : errorSummary(body),
      durationMs: Math.round(performance.now() - started),
    });
    if (ok) return { status: status!, body };
    if (status === 401) throw new KommoGrantRevokedError(`Kommo refused the grant (401): ${errorSummary(body)}`);
    if (status !== null && status !== 429 && status < 500) throw new IntegrationPermanentError(`Kommo ${spec.operation} failed (${status}): ${errorSummary(body)}`, `kommo_${status}`);
    if (status !== null) lastError = `HTTP ${status}`;
    if (attempt < ATTEMPTS - 1) await sleep(backoffMs(attempt, retryAfter));
  }
  throw new IntegrationTransientError(`Kommo ${spec.operation} failed after ${ATTEMPTS} tries: ${lastError}`);
}

function ids(t: KommoCallTarget) {
  return { tenantId: t.tenantId, integrationId: t.integrationId };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text.slice(0, 200);
  }
}

function errorSummary(body: unknown): string {
  if (body && typeof body === "object") {
    const b = body as Record<string, unknown>;
    return [b.title, b.detail, b.hint].filter((x) => typeof x === "string").join(": ") || "error";
  }
  return typeof body === "string" ? body : "error";
}

function summarize(body: unknown): string {
  if (body && typeof body === "object") {
    const b = body as Record<string, unknown>;
    const embedded = b._embedded as Record<string, unknown> | undefined;
    if (embedded && Array.isArray(embedded.contacts)) return `${embedded.contacts.length} contacts, page ${String(b._page ?? "?")}`;
    if (typeof b.access_token === "string") return `tokens issued, expire in ${String(b.expires_in)} s`;
  }
  return body === null ? "no content" : "ok";
}

export interface KommoTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

/** POST /oauth2/access_token (authorization_code or refresh_token grant). */
export async function requestKommoTokens(
  target: KommoCallTarget,
  input: { clientId: string; clientSecret: string; redirectUri: string } & ({ grant: "authorization_code"; code: string } | { grant: "refresh_token"; refreshToken: string }),
): Promise<KommoTokens> {
  const body: Record<string, unknown> = { client_id: input.clientId, client_secret: input.clientSecret, grant_type: input.grant, redirect_uri: input.redirectUri };
  if (input.grant === "authorization_code") body.code = input.code;
  else body.refresh_token = input.refreshToken;
  let res;
  try {
    res = await callKommo(target, {
      operation: input.grant === "authorization_code" ? "oauth.exchange_code" : "oauth.refresh",
      method: "POST",
      url: `${kommoApiBase(target.subdomain)}/oauth2/access_token`,
      body,
      logInput: { grant_type: input.grant, client_id: input.clientId, redirect_uri: input.redirectUri },
    });
  } catch (err) {
    // A refused refresh token (400 "Token has been revoked") means the grant is gone, as a 401 does.
    if (err instanceof IntegrationPermanentError && input.grant === "refresh_token") throw new KommoGrantRevokedError(err.message);
    throw err;
  }
  const b = res.body as Record<string, unknown> | null;
  if (!b || typeof b.access_token !== "string" || typeof b.refresh_token !== "string" || typeof b.expires_in !== "number") {
    throw new IntegrationPermanentError("Kommo's token answer lacks access_token, refresh_token or expires_in", "kommo_token_shape");
  }
  return { accessToken: b.access_token, refreshToken: b.refresh_token, expiresIn: b.expires_in };
}

export interface KommoApiContact {
  id: number;
  name?: string | null;
  updated_at?: number;
  custom_fields_values?: { field_code?: string | null; values?: { value?: unknown }[] }[] | null;
}

export interface KommoContactsPage {
  contacts: KommoApiContact[];
  next: string | null;
}

/** One page of GET /api/v4/contacts (250 a page); `pageUrl` is a `_links.next` from the previous page. */
export async function fetchKommoContactsPage(
  target: KommoCallTarget,
  accessToken: string,
  pageUrl: string | null,
  opts: { limit?: number; page?: number; updatedFrom?: Date | null } = {},
): Promise<KommoContactsPage> {
  const base = `${kommoApiBase(target.subdomain)}/api/v4/contacts`;
  // Kommo carries the query (filter, order) into `_links.next`.
  const filter = opts.updatedFrom ? `&filter[updated_at][from]=${Math.floor(opts.updatedFrom.getTime() / 1000)}` : "";
  const url = pageUrl ? sameOrigin(pageUrl, base) : `${base}?limit=${opts.limit ?? 250}&page=${opts.page ?? 1}&order[id]=asc${filter}`;
  const res = await callKommo(target, {
    operation: "contacts.list",
    method: "GET",
    url,
    headers: { authorization: `Bearer ${accessToken}` },
    logInput: { url: url.replace(/^https?:\/\/[^/]+/, "") },
  });
  // 204: no (more) contacts.
  if (res.status === 204 || !res.body || typeof res.body !== "object") return { contacts: [], next: null };
  const b = res.body as { _embedded?: { contacts?: KommoApiContact[] }; _links?: { next?: { href?: string } } };
  return { contacts: b._embedded?.contacts ?? [], next: b._links?.next?.href ?? null };
}

/** A `_links.next` must stay on the account's own API host: the bearer token goes with it. */
function sameOrigin(link: string, base: string): string {
  const a = new URL(link);
  const b = new URL(base);
  if (a.origin !== b.origin) throw new IntegrationPermanentError(`Kommo's next link leaves ${b.origin}`, "kommo_link_origin");
  return a.toString();
}
