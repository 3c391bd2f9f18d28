// The Track API client: v2 batch and entity calls, and the v1 account-region read used as the
// credential test. Basic auth site_id:api_key. Every call answers with an outcome, never throws
// for an HTTP status, so the sync decides what is retried.
import type { CustomerioRegion } from "@/db/schema/customerio";
import { providerFetch } from "@/lib/net/provider-hosts";
import { TRACK_HOSTS } from "./definition";
import type { TrackOperation } from "./operations";

export interface TrackCredentials {
  siteId: string;
  apiKey: string;
}

export interface TrackClientOptions {
  region: CustomerioRegion;
  /** Overrides the real host (the simulator): the region's host becomes the first path segment. */
  apiBaseUrl?: string | null;
  credentials: TrackCredentials;
  timeoutMs: number;
}

export interface OperationError {
  /** Index in the batch; absent when Customer.io did not say which operation failed. */
  index?: number;
  reason: string;
}

export type TrackOutcome =
  | { kind: "ok" }
  /** The batch was accepted but some operations were refused. */
  | { kind: "partial"; errors: OperationError[] }
  /** The request as a whole was refused (a malformed batch): each operation must be tried alone. */
  | { kind: "rejected"; status: number; reason: string }
  | { kind: "retryable"; status: number | null; reason: string; retryAfterMs?: number }
  | { kind: "auth"; status: number; reason: string };

export function trackUrl(opts: Pick<TrackClientOptions, "region" | "apiBaseUrl">, path: string): string {
  const host = TRACK_HOSTS[opts.region];
  return opts.apiBaseUrl ? `${opts.apiBaseUrl.replace(/\/+$/, "")}/${host}${path}` : `https://${host}${path}`;
}

export class TrackClient {
  constructor(private readonly opts: TrackClientOptions) {}

  /** POST /api/v2/batch with `{ batch: [...] }`. */
  batch(ops: TrackOperation[]): Promise<TrackOutcome> {
    return this.call("POST", "/api/v2/batch", JSON.stringify({ batch: ops }));
  }

  /** POST /api/v2/entity: one operation, for retrying an operation a batch refused. */
  entity(op: TrackOperation): Promise<TrackOutcome> {
    return this.call("POST", "/api/v2/entity", JSON.stringify(op));
  }

  /** GET /api/v1/accounts/region: cheap, authenticated, and tells which region the account lives in. */
  async checkCredentials(): Promise<{ ok: true; region: string | null } | { ok: false; reason: string }> {
    let res: Response;
    try {
      res = await providerFetch(trackUrl(this.opts, "/api/v1/accounts/region"), { method: "GET", headers: this.headers(), signal: AbortSignal.timeout(this.opts.timeoutMs) });
    } catch (err) {
      return { ok: false, reason: `Customer.io could not be reached: ${errorMessage(err)}` };
    }
    const body = (await res.json().catch(() => null)) as { region?: string } | null;
    if (res.status === 401 || res.status === 403) return { ok: false, reason: "Customer.io refused the site id and API key" };
    if (!res.ok) return { ok: false, reason: `Customer.io answered ${res.status}` };
    return { ok: true, region: typeof body?.region === "string" ? body.region : null };
  }

  private headers(): Record<string, string> {
    const { siteId, apiKey } = this.opts.credentials;
    return {
      authorization: `Basic ${Buffer.from(`${siteId}:${apiKey}`).toString("base64")}`,
      "content-type": "application/json",
      accept: "application/json",
    };
  }

  private async call(method: string, path: string, body: string): Promise<TrackOutcome> {
    let res: Response;
    try {
      res = await providerFetch(trackUrl(this.opts, path), { method, headers: this.headers(), body, signal: AbortSignal.timeout(this.opts.timeoutMs) });
    } catch (err) {
      return { kind: "retryable", status: null, reason: `Customer.io could not be reached: ${errorMessage(err)}` };
    }
    const text = await res.text().catch(() => "");
    const parsed = parseJson(text);
    const errors = operationErrors(parsed);
    if (res.status === 429) return { kind: "retryable", status: 429, reason: "Customer.io rate limit (429)", retryAfterMs: retryAfterMs(res.headers.get("retry-after")) };
    if (res.status >= 500) return { kind: "retryable", status: res.status, reason: `Customer.io answered ${res.status}`, retryAfterMs: retryAfterMs(res.headers.get("retry-after")) };
    if (res.status === 401 || res.status === 403) return { kind: "auth", status: res.status, reason: "Customer.io refused the site id and API key" };
    if (res.status >= 200 && res.status < 300) return errors.length ? { kind: "partial", errors } : { kind: "ok" };
    const reason = errors.map((e) => e.reason).join("; ") || `Customer.io answered ${res.status}`;
    return { kind: "rejected", status: res.status, reason: reason.slice(0, 1000) };
  }
}

function parseJson(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : null;
  } catch {
    return null;
  }
}

/** `errors: [{ batch_index?, reason, field, message }]`, as Customer.io reports refused operations. */
function operationErrors(body: unknown): OperationError[] {
  if (!body || typeof body !== "object") return [];
  const list = (body as { errors?: unknown }).errors;
  if (!Array.isArray(list)) return [];
  return list.slice(0, 10_000).map((e) => {
    const x = (e ?? {}) as Record<string, unknown>;
    const parts = [x.reason, x.field, x.message].filter((p): p is string => typeof p === "string" && p.length > 0);
    const index = typeof x.batch_index === "number" && Number.isInteger(x.batch_index) ? x.batch_index : undefined;
    return { index, reason: (parts.join(": ") || "refused by Customer.io").slice(0, 1000) };
  });
}

/** Retry-After in seconds or as an HTTP date; capped at ten minutes. */
export function retryAfterMs(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) && ms >= 0 ? Math.min(ms, 600_000) : undefined;
}

function errorMessage(err: unknown): string {
  const e = err as { message?: string; cause?: { message?: string } };
  return e?.cause?.message ?? e?.message ?? String(err);
}
