// The one interface every provider adapter implements, the typed send error, and shared helpers.
import type { Channel } from "@/db/schema/messages";
import type { ProviderKind } from "@/db/schema/provider-configs";
import { providerFetch, refusedHost } from "@/lib/net/provider-hosts";
import type { ConfigOf, ResolvedCredentials } from "./config-record";
import { effectiveBaseUrl, providerMessage, redactValues } from "./credential-checks";

export const DEFAULT_PROVIDER_TIMEOUT_MS = 10_000;

/** What an adapter needs to know about the message: the accepted payload plus Herald's references. */
export interface OutboundMessage {
  /** Herald's message id: carried as a custom argument so webhooks can be matched. */
  id: string;
  tenantId: string;
  channel: Channel;
  /** Email address, E.164 number, device token or `topic:<name>` as accepted. */
  recipient: string;
  /**
   * Stable per message (not per attempt): passed where the provider dedupes on a client
   * reference, so a re-run after a crash can't send twice there.
   */
  providerReference: string;
  templateId: string | null;
  /** The validated request payload (snake_case, as the send API accepted it). */
  payload: Record<string, unknown>;
}

export interface SendOptions {
  timeoutMs: number;
  /** Delivery-report URL for providers that take one per message (46elks, Twilio, Infobip). */
  callbackUrl?: string;
  /** The tenant's stored media, for messages that name media ids (attachments, WhatsApp media). */
  media?: MediaAccess;
}

/** A stored media as an adapter sees it. */
export interface MediaFile {
  id: string;
  filename: string;
  contentType: string;
  size: number;
}

/** A provider's own copy of a media (WhatsApp's uploaded media id), remembered per config. */
export interface ProviderMediaCopy {
  providerMediaId: string;
  uploadedAt: Date;
  expiresAt: Date;
}

/**
 * The message's tenant's media, for adapters. A media that is gone or not ready throws a
 * `rejected` ProviderSendError (code media_unavailable): no retry brings it back.
 */
export interface MediaAccess {
  describe(mediaId: string): Promise<MediaFile>;
  /** The whole object (email providers inline attachments; bounded by their message limit). */
  read(mediaId: string): Promise<{ file: MediaFile; bytes: Buffer }>;
  /** The object as a stream (uploads to a provider). */
  open(mediaId: string): Promise<{ file: MediaFile; body: ReadableStream<Uint8Array> }>;
  /** Copies this config already gave the provider. */
  copies: {
    find(mediaId: string): Promise<ProviderMediaCopy | undefined>;
    save(mediaId: string, copy: ProviderMediaCopy): Promise<void>;
    forget(mediaId: string, providerMediaId: string): Promise<void>;
  };
}

export function needMedia(opts: SendOptions): MediaAccess {
  if (!opts.media) throw new ProviderSendError({ kind: "rejected", code: "media_unavailable", httpStatus: null, message: "The message names media, but none can be read here" });
  return opts.media;
}

export interface SendResult {
  providerMessageId: string;
  /** The provider's own status word, when it gives one (e.g. Twilio `queued`). */
  status?: string;
  segments?: number;
  cost?: { amount: number; currency: string };
}

export type ProviderSendErrorKind =
  | "retryable"
  | "rate_limited"
  | "invalid_recipient"
  | "auth"
  | "rejected"
  | "unregistered_token";

/**
 * A provider call that did not send. `kind` decides what the workflow does: retry the hop
 * (retryable, rate_limited), fall back (auth, or a hop out of retries), fail at once
 * (invalid_recipient, unregistered_token, rejected).
 */
export class ProviderSendError extends Error {
  readonly kind: ProviderSendErrorKind;
  /** The provider's error code (e.g. 21211, UNREGISTERED, 131030) or a transport code (ETIMEDOUT). */
  readonly code: string;
  readonly httpStatus: number | null;
  readonly retryAfterMs: number | null;

  constructor(input: {
    kind: ProviderSendErrorKind;
    code: string;
    httpStatus: number | null;
    message: string;
    retryAfterMs?: number | null;
    cause?: unknown;
  }) {
    super(input.message, { cause: input.cause });
    this.name = "ProviderSendError";
    this.kind = input.kind;
    this.code = input.code;
    this.httpStatus = input.httpStatus;
    this.retryAfterMs = input.retryAfterMs ?? null;
  }

  get retryable(): boolean {
    return this.kind === "retryable" || this.kind === "rate_limited";
  }
}

export interface ProviderAdapter<P extends ProviderKind = ProviderKind> {
  provider: P;
  send(config: ConfigOf<P>, credentials: ResolvedCredentials, message: OutboundMessage, opts: SendOptions): Promise<SendResult>;
  /** Providers that can generate and verify one-time PINs themselves (Infobip 2FA). */
  pins?: ProviderPins<P>;
  /** Providers whose inbound messages carry files Herald fetches with the config's credentials (WhatsApp). */
  inboundMedia?: InboundMediaDownload<P>;
}

export interface InboundMediaDownload<P extends ProviderKind = ProviderKind> {
  /**
   * The bytes of a file the provider holds for an inbound message, streamed. Throws
   * ProviderSendError: retryable (try again later) or not (the file is gone for good).
   */
  download(
    config: ConfigOf<P>,
    credentials: ResolvedCredentials,
    providerMediaId: string,
    opts: { timeoutMs: number },
  ): Promise<{ body: ReadableStream<Uint8Array>; contentType: string | null; size: number | null }>;
}

/** A PIN the provider generates: the template carries `{{pin}}` where the code goes. */
export interface PinRequest {
  to: string;
  /** The message text with `{{pin}}` in place of the code. */
  messageText: string;
  pinLength: number;
  ttlSeconds: number;
  maxAttempts: number;
}

/** Where Herald keeps the provider-side application + template per config (created once). */
export interface PinAppStore {
  find(templateKey: string): Promise<{ applicationId: string; messageId: string } | undefined>;
  save(templateKey: string, app: { applicationId: string; messageId: string }): Promise<{ applicationId: string; messageId: string }>;
}

export type PinCheck =
  | { verified: true }
  | { verified: false; reason: "wrong_code" | "expired" | "too_many_attempts"; attemptsRemaining: number | null };

export interface ProviderPins<P extends ProviderKind = ProviderKind> {
  /** Whether this config asks the provider to generate the PIN (a per-config setting). */
  enabled(config: ConfigOf<P>): boolean;
  /** Sends a provider-generated PIN; `providerMessageId` is the provider's PIN id. */
  send(config: ConfigOf<P>, credentials: ResolvedCredentials, request: PinRequest, apps: PinAppStore, opts: SendOptions): Promise<SendResult>;
  verify(config: ConfigOf<P>, credentials: ResolvedCredentials, pinId: string, pin: string, opts: SendOptions): Promise<PinCheck>;
}

// ---------------------------------------------------------------------------------------------
// Helpers shared by the fetch-based adapters

export function baseUrlOf(config: { provider: ProviderKind; settings: unknown; apiBaseUrl: string | null }): string {
  return effectiveBaseUrl(config.provider, config.settings as Record<string, unknown>, config.apiBaseUrl);
}

export function needCredential(credentials: ResolvedCredentials, field: string): string {
  const value = credentials[field];
  if (!value) {
    throw new ProviderSendError({ kind: "auth", code: "credential_missing", httpStatus: null, message: `The config has no ${field.replace(/_ref$/, "")}` });
  }
  return value;
}

/** Retry-After as seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** A transport failure (no HTTP answer): always retryable, the provider may or may not have sent. */
export function transportError(err: unknown): ProviderSendError {
  if (err instanceof ProviderSendError) return err;
  const refused = refusedHost(err);
  // A host Herald will not connect to is the config's fault, not the message's: flag the config.
  if (refused) return new ProviderSendError({ kind: "auth", code: "host_refused", httpStatus: null, message: refused.message, cause: err });
  const e = err as { name?: string; code?: string; cause?: { code?: string; name?: string }; message?: string };
  const timedOut = e?.name === "TimeoutError" || e?.name === "AbortError" || e?.code === "ECONNABORTED" || e?.code === "ETIMEDOUT";
  const code = timedOut ? "TIMEOUT" : (e?.cause?.code ?? e?.code ?? "NETWORK_ERROR");
  return new ProviderSendError({
    kind: "retryable",
    code: String(code),
    httpStatus: null,
    message: timedOut ? "The provider did not answer in time" : `Could not reach the provider (${String(code)})`,
    cause: err,
  });
}

/** Default classification of an HTTP error status. Adapters refine it with the provider's own codes. */
export function classifyHttp(status: number): ProviderSendErrorKind {
  if (status === 429) return "rate_limited";
  if (status === 401 || status === 403) return "auth";
  if (status >= 500 || status === 408) return "retryable";
  return "rejected";
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** fetch with a timeout; the body is parsed as JSON when it is JSON, else kept as text. */
export async function httpRequest(url: string, init: RequestInit & { timeoutMs: number }): Promise<HttpAnswer> {
  const { timeoutMs, ...rest } = init;
  let res: Response;
  try {
    res = await providerFetch(url, { ...rest, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw transportError(err);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    throw transportError(err);
  }
  let body: unknown = text;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      // plain-text bodies stay text
    }
  }
  return { status: res.status, headers: res.headers, body };
}

/** The error for a non-2xx answer, with the provider's own message and Retry-After. */
export function httpError(answer: HttpAnswer, overrides: { kind?: ProviderSendErrorKind; code?: string } = {}): ProviderSendError {
  const kind = overrides.kind ?? classifyHttp(answer.status);
  return new ProviderSendError({
    kind,
    code: overrides.code ?? String(answer.status),
    httpStatus: answer.status,
    message: providerMessage(answer.body) ?? `HTTP ${answer.status}`,
    retryAfterMs: kind === "rate_limited" ? parseRetryAfter(answer.headers.get("retry-after")) : null,
  });
}

/** Removes any credential value a provider might echo back from an error message. */
export function redactError(err: ProviderSendError, credentials: ResolvedCredentials): ProviderSendError {
  const message = redactValues(err.message, Object.values(credentials)).slice(0, 1000);
  if (message === err.message) return err;
  return new ProviderSendError({ kind: err.kind, code: err.code, httpStatus: err.httpStatus, message, retryAfterMs: err.retryAfterMs, cause: err.cause });
}

export const basicAuth = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;

// ---------------------------------------------------------------------------------------------
// Payload readers: the send API validated the payload; these read it defensively all the same.

export const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
export const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
export const rec = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** Provider custom-argument maps take string values only. */
export function stringValues(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, value] of Object.entries(rec(v) ?? {})) {
    if (value === undefined || value === null) continue;
    out[k] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return out;
}

export interface EmailAddress {
  email: string;
  name?: string;
}

export function addresses(v: unknown, fallback?: string): EmailAddress[] {
  const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
  const out: EmailAddress[] = [];
  for (const item of list) {
    if (typeof item === "string" && item) out.push({ email: item });
    else {
      const r = rec(item);
      const email = str(r?.email);
      if (email) out.push({ email, ...(str(r?.name) ? { name: str(r?.name) } : {}) });
    }
  }
  if (out.length === 0 && fallback) out.push({ email: fallback });
  return out;
}

export function missingField(field: string): ProviderSendError {
  return new ProviderSendError({ kind: "rejected", code: "payload_invalid", httpStatus: null, message: `The message has no ${field}` });
}

/**
 * Push target: a topic, or a device — FCM registration token (`device_token`) or OneSignal
 * subscription id (`player_id`); `token` is whichever the provider addresses (its definition's `pushAddress`).
 */
export function pushTarget(
  message: OutboundMessage,
  address: "device_token" | "player_id" = "device_token",
): { token?: string; topic?: string; platform?: string } {
  const target = rec(message.payload.target);
  const topic = str(message.payload.topic) ?? (message.recipient.startsWith("topic:") ? message.recipient.slice(6) : undefined);
  if (topic) return { topic };
  const preferred = address === "player_id" ? (str(target?.player_id) ?? str(target?.device_token)) : (str(target?.device_token) ?? str(target?.player_id));
  return { token: preferred ?? message.recipient, platform: str(target?.platform) };
}

export { providerMessage };
