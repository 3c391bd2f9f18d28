// The Rejected log: what a refused provider webhook request looked like, without its secrets.
import { getDb } from "@/db";
import { findProviderConfigOwner } from "@/db/queries/provider-configs";
import { findWebhookRejectedRequest, insertWebhookRejectedRequest, listWebhookRejectedRequests } from "@/db/queries/webhook-rejected-requests";
import type { WebhookRefusalReason, WebhookRejectedRequest } from "@/db/schema/webhooks";
import { decodeTimeIdCursor, encodeTimeIdCursor } from "@/lib/api/cursor";
import { ApiError } from "@/lib/api/errors";
import { positiveNumberEnv } from "@/lib/env";
import { logger } from "@/lib/logger";
import type { TenantContext } from "@/lib/tenancy/context";
import { isUuid } from "@/lib/validations/common";
import {
  webhookRejectedRequestListOut,
  webhookRejectedRequestOut,
  type ListWebhookRejectedRequestsQuery,
  type WebhookRejectedRequestListOut,
  type WebhookRejectedRequestOut,
} from "@/lib/validations/webhook-events";
import type { WebhookRejected } from "./types";

/** Rows kept per tenant (and for requests no tenant owns); the insert deletes the oldest beyond it. */
export const REJECTED_REQUESTS_KEPT = Math.floor(positiveNumberEnv("HERALD_WEBHOOK_REJECTED_KEEP", 500));
/** Recorded per config (or unowned path) and minute, and per process and minute in all; the rest are only counted in metrics. */
export const REJECTED_PER_CONFIG_PER_MINUTE = Math.floor(positiveNumberEnv("HERALD_WEBHOOK_REJECTED_PER_MINUTE", 20));
const REJECTED_PER_PROCESS_PER_MINUTE = Math.max(REJECTED_PER_CONFIG_PER_MINUTE, 300);

export const PAYLOAD_EXCERPT_BYTES = 2048;
const MAX_HEADERS = 60;
const MAX_HEADER_VALUE = 500;

/**
 * A fixed one-minute window. Keys are added only when a row is admitted, so the map holds at most
 * the process budget and is dropped at every new minute: a flood of made-up config ids can't grow it.
 */
const window = { start: 0, total: 0, lookups: 0, perKey: new Map<string, number>() };

function rollWindow(now: number) {
  const start = Math.floor(now / 60_000) * 60_000;
  if (start !== window.start) {
    window.start = start;
    window.total = 0;
    window.lookups = 0;
    window.perKey.clear();
  }
}

function admit(key: string, now: number): boolean {
  rollWindow(now);
  const n = window.perKey.get(key) ?? 0;
  if (window.total >= REJECTED_PER_PROCESS_PER_MINUTE || n >= REJECTED_PER_CONFIG_PER_MINUTE) return false;
  window.total++;
  window.perKey.set(key, n + 1);
  return true;
}

/** For tests: start a fresh window. */
export function resetRejectedRequestWindow() {
  window.start = 0;
}

/** Whether the request carried anything that could be a signature (a header, or a callback token in the URL). */
function carriesSignature(req: Request): boolean {
  let found = new URL(req.url).searchParams.has("token");
  req.headers.forEach((_v, name) => {
    if (/signature/i.test(name)) found = true;
  });
  return found;
}

/** The refusal in the log's words; the exact message is stored beside it. */
export function refusalReason(err: WebhookRejected, req: Request): WebhookRefusalReason {
  switch (err.status) {
    case 404:
      return "unknown_config";
    case 413:
      return "too_large";
    case 400:
    case 415:
    case 422:
      return "unparsable";
  }
  if (/replay/i.test(err.message)) return "replayed_signature";
  if (/older than|stale/i.test(err.message)) return "stale_timestamp";
  if (/has no|not available/i.test(err.message)) return "no_verification_key";
  // Providers' messages say "invalid or missing": the request itself tells which.
  if (/missing/i.test(err.message) && !carriesSignature(req)) return "missing_signature";
  return "bad_signature";
}

const SECRET_HEADER = /authorization|cookie|signature|token|secret|password|api[-_]?key|session|auth/i;
const SECRET_QUERY = /token|secret|sig|key|password|auth|code/i;

function redactValue(name: string, value: string): string {
  const n = name.toLowerCase();
  // A scheme ("Basic", "Bearer") says what was sent; the credential after it never is.
  if (n === "authorization" || n === "proxy-authorization") return `${value.split(" ")[0]?.slice(0, 16) ?? ""} … (${value.length} chars)`;
  if (n.includes("cookie")) return `… (${value.length} chars)`;
  return `${value.slice(0, 6)}… (${value.length} chars)`;
}

/** Request headers as stored: secret-bearing values reduced to a prefix and length, the rest cut short. */
export function redactHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  let count = 0;
  headers.forEach((value, name) => {
    // Stamped by Herald's server (the source column), not sent by the provider.
    if (name === "x-herald-client-ip" || count >= MAX_HEADERS) return;
    count++;
    const clean = cleanText(value);
    out[name.slice(0, 100)] = SECRET_HEADER.test(name) ? redactValue(name, clean) : clean.slice(0, MAX_HEADER_VALUE);
  });
  return out;
}

/** The URL query with token-like values masked (46elks and Infobip carry their callback token there). */
export function redactQuery(url: string): string {
  const params = new URL(url).searchParams;
  const out = new URLSearchParams();
  params.forEach((value, key) => out.append(key, SECRET_QUERY.test(key) ? `*** (${value.length} chars)` : value.slice(0, 200)));
  return cleanText(out.toString()).slice(0, 1000);
}

/** Text Postgres can store: NUL replaced (lone surrogates can't come out of TextDecoder). */
function cleanText(s: string): string {
  return s.replace(/\u0000/g, "\uFFFD");
}

/** The first 2 KB as UTF-8, a character cut at the end dropped rather than shown as garbage. */
export function payloadExcerpt(body: Uint8Array): string {
  const head = body.subarray(0, PAYLOAD_EXCERPT_BYTES);
  let text = new TextDecoder("utf-8", { fatal: false }).decode(head);
  if (body.byteLength > PAYLOAD_EXCERPT_BYTES) text = text.replace(/\uFFFD$/, "");
  return cleanText(text);
}

/** Reads at most the excerpt's bytes of a body nobody else will read (the request is being refused). */
export async function readExcerptBytes(req: Request): Promise<Uint8Array | undefined> {
  if (!req.body || req.bodyUsed) return undefined;
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < PAYLOAD_EXCERPT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks);
}

export interface RefusedRequest {
  provider: string;
  configId: string;
  req: Request;
  err: WebhookRejected;
  /** The config the path named, when it was found. */
  config?: { id: string; tenantId: string };
  /** The body as read before the refusal (undefined: not read). */
  rawBody?: Uint8Array;
  at: Date;
}

/**
 * Records a refused request in the Rejected log. Never throws: a failure to record is logged and
 * the provider gets the same answer. Runs on its own, outside any transaction.
 */
export async function recordRefusedRequest(r: RefusedRequest): Promise<void> {
  try {
    const now = r.at.getTime();
    // Cheap refusal first, before any lookup: a flood spends no database work once the minute's budget is gone.
    rollWindow(now);
    if (window.total >= REJECTED_PER_PROCESS_PER_MINUTE) return;
    let owner: { id: string; tenantId: string } | undefined = r.config;
    // Finding the owner of an id is a query too: as many a minute as rows may be recorded, no more.
    if (!owner && isUuid(r.configId)) {
      if (window.lookups >= REJECTED_PER_PROCESS_PER_MINUTE) return;
      window.lookups++;
      owner = await findProviderConfigOwner(getDb(), { id: r.configId });
    }
    if (!admit(owner ? owner.id : "unowned", now)) return;
    const body = r.rawBody ?? (r.err.status === 413 ? undefined : await readExcerptBytes(r.req));
    await insertWebhookRejectedRequest(getDb(), {
      keep: REJECTED_REQUESTS_KEPT,
      row: {
        tenantId: owner?.tenantId ?? null,
        configId: owner?.id ?? null,
        provider: cleanText(r.provider).slice(0, 40),
        pathConfigId: cleanText(r.configId).slice(0, 100),
        reason: refusalReason(r.err, r.req),
        detail: r.err.message.slice(0, 500),
        status: r.err.status,
        sourceAddress: r.req.headers.get("x-herald-client-ip")?.slice(0, 100) ?? null,
        headers: redactHeaders(r.req.headers),
        query: redactQuery(r.req.url),
        payloadExcerpt: body ? payloadExcerpt(body) : "",
        payloadBytes: body ? (r.rawBody ? r.rawBody.byteLength : null) : null,
        receivedAt: r.at,
      },
    });
  } catch (err) {
    logger.error({ err: err instanceof Error ? err.message : String(err), provider: r.provider }, "could not record a refused webhook request");
  }
}

function toOut(r: WebhookRejectedRequest): WebhookRejectedRequestOut {
  return {
    id: r.id,
    provider: r.provider,
    config_id: r.configId,
    path_config_id: r.pathConfigId,
    reason: r.reason,
    detail: r.detail,
    status: r.status,
    source_address: r.sourceAddress,
    headers: r.headers,
    query: r.query,
    payload_excerpt: r.payloadExcerpt,
    payload_bytes: r.payloadBytes,
    received_at: r.receivedAt.toISOString(),
  };
}

/** The tenant's refused webhook requests, newest first. */
export async function listRejectedRequests(ctx: TenantContext, q: ListWebhookRejectedRequestsQuery): Promise<WebhookRejectedRequestListOut> {
  const rows = await listWebhookRejectedRequests(getDb(), {
    tenantId: ctx.tenantId,
    provider: q.provider,
    configId: q.config_id,
    reason: q.reason,
    before: q.cursor ? decodeTimeIdCursor(q.cursor) : undefined,
    limit: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return webhookRejectedRequestListOut.parse({
    data: page.map(toOut),
    next_cursor: rows.length > q.limit && last ? encodeTimeIdCursor(last.receivedAt, last.id) : null,
  });
}

export async function getRejectedRequest(ctx: TenantContext, id: string): Promise<WebhookRejectedRequestOut> {
  const row = isUuid(id) ? await findWebhookRejectedRequest(getDb(), { tenantId: ctx.tenantId, id }) : undefined;
  if (!row) throw ApiError.notFound("Rejected webhook request");
  return webhookRejectedRequestOut.parse(toOut(row));
}
