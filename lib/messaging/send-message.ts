// Accepting sends: validation is done by the caller; here are idempotency, routing and the
// transactional write of message + status history + the herald/message.queued outbox event.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { getDb, type DbOrTx } from "@/db";
import { findMessagesByIdempotencyKeys, insertAcceptedMessages } from "@/db/queries/messages";
import { findInactiveDeviceTokens } from "@/db/queries/routing";
import type { Channel, Message, NewMessage, RouteHop } from "@/db/schema/messages";
import { ApiError, zodDetails } from "@/lib/api/errors";
import { outboxRows } from "@/lib/jobs/emit";
import { findConfigRecord } from "@/lib/providers/config-record";
import { suppressionCheck } from "@/lib/suppressions";
import { providerChannels } from "@/lib/providers/definitions";
import type { TenantContext } from "@/lib/tenancy/context";
import {
  parseUnifiedSend,
  type BatchItemOut,
  type BatchResultOut,
  type EmailPayload,
  type PushPayload,
  type SendInput,
  type SendResultOut,
  type SmsPayload,
  type WhatsappPayload,
} from "@/lib/validations/messages";
import { loadTemplateSendScope, renderSendInput, resolveSendRecipients } from "@/lib/templates/render-send";
import { admitSendMedia, loadSendMedia } from "@/lib/media/send-media";
import { quotaItemError, takeSendQuota } from "./fair-share";
import { countMessagesAccepted } from "@/lib/metrics/record";
import { decideFromSnapshot, loadRoutingSnapshot, recipientAttributes, type RoutingSnapshot } from "./routing";
import { smsSegments } from "./sms-segments";

/** How long a duplicate waits for the original's transaction before answering 409. */
const IN_FLIGHT_WAIT_MS = Number(process.env.HERALD_IDEMPOTENCY_WAIT_MS ?? 3000);

export interface SendOutcome {
  /** 202 for a new message, 200 for an idempotent replay. */
  status: 202 | 200;
  replayed: boolean;
  body: SendResultOut;
}

/** Where the request came in: part of the fingerprint, so a key reused on another endpoint is a conflict. */
export type SendEndpoint = "messages" | `${string}/${string}`;

interface Prepared {
  row: NewMessage & { id: string; idempotencyKey: string | null; requestHash: string };
  sms?: SendResultOut["sms"];
}

// ---------------------------------------------------------------------------------------------
// Public API

/** One send (unified or provider-specific). Throws ApiError for every refusal. */
export async function sendMessage(
  ctx: TenantContext,
  input: SendInput,
  opts: { endpoint: SendEndpoint; traceId?: string },
): Promise<SendOutcome> {
  const requestHash = fingerprint(opts.endpoint, input);
  const db = getDb();
  if (input.template && input.idempotencyKey) {
    // A replay answers with the original even if the template changed (or went) since.
    const [original] = await findMessagesByIdempotencyKeys(db, { tenantId: ctx.tenantId, keys: [input.idempotencyKey] });
    if (original) return replayOrConflict(original, requestHash);
  }
  input = renderSendInput(ctx, input, input.template ? await loadTemplateSendScope(ctx, [input]) : null);
  // The original of a reused key, the routing data, the push token hygiene and the suppression
  // list are independent reads: run them together, then refuse in the same order as ever
  // (replay, route, dead token, suppression) before anything is written.
  const [existing, route, deadTokens, suppressedIn, media] = await Promise.all([
    input.idempotencyKey ? findMessagesByIdempotencyKeys(db, { tenantId: ctx.tenantId, keys: [input.idempotencyKey] }) : [],
    input.configId ? namedConfigRoute(ctx, input) : loadRoutingSnapshot(ctx.tenantId),
    input.channel === "push" ? deadTokenSet(db, ctx.tenantId, [input]) : undefined,
    suppressionCheck(ctx.tenantId, [input], db),
    loadSendMedia(ctx.tenantId, [input]),
  ]);
  // A replay answers with the original and costs no quota: it sends nothing.
  if (existing[0]) return replayOrConflict(existing[0], requestHash);

  const dead = deadTokens && deadTokenOf(input, deadTokens);
  // Media the route's providers cannot carry (size, type) takes those hops out, or refuses the send.
  const hops = admitSendMedia(input, Array.isArray(route) ? route : routeFor(route, input), media);
  if (dead) throw deadTokenError(dead);
  const suppressed = suppressedIn(input);
  if (suppressed) throw suppressed;
  const prepared = prepare(ctx, input, hops, requestHash, opts.traceId);

  // Over the tenant's send quota: 429 with Retry-After, before anything is written.
  await takeSendQuota(ctx, 1);
  const inserted = await writeMessages([prepared], { waitForKeys: prepared.row.idempotencyKey !== null });
  if (inserted.has(prepared.row.id)) {
    return { status: 202, replayed: false, body: resultFromPrepared(prepared, inserted.get(prepared.row.id)!) };
  }
  // Lost the race for the key: the winner has committed by now (the insert waited for it).
  const [winner] = await findMessagesByIdempotencyKeys(db, { tenantId: ctx.tenantId, keys: [input.idempotencyKey!] });
  if (!winner) throw inFlight();
  return replayOrConflict(winner, requestHash);
}

/**
 * Up to 1,000 unified sends: each validated, routed and answered on its own; every accepted one
 * is written in one statement (messages, status history and outbox events together).
 */
export interface BatchOptions {
  traceId?: string;
  /** `traceIds[i]` is item i's own trace id (bus actions carry one each); else `traceId` for all. */
  traceIds?: (string | undefined)[];
  /** Where the sends come from (part of each fingerprint): `messages` for the API's batch endpoint. */
  endpoint?: SendEndpoint;
  /** Reminder fan-out: the run every message belongs to, and the `event.*` its templates see. */
  reminder?: { runId: string; event: Record<string, unknown> };
}

export async function sendMessageBatch(ctx: TenantContext, all: unknown[], opts: BatchOptions = {}): Promise<BatchResultOut & { retryAfterSeconds?: number }> {
  const endpoint = opts.endpoint ?? "messages";
  const results: BatchItemOut[] = new Array(all.length);
  let parsed: { index: number; input: SendInput; hash: string }[] = [];
  // Items naming a contact get its address (or their 404 / COMM_UNSUBSCRIBED) first.
  const resolved = await resolveSendRecipients(ctx, all);
  resolved.forEach((r, index) => {
    if ("error" in r) {
      results[index] = { index, ...errorItem(r.error) };
      return;
    }
    const p = parseUnifiedSend(r.raw);
    if (!p.success) {
      results[index] = {
        index,
        status: 422,
        error: { code: "validation_failed", message: "The message is invalid", details: zodDetails(p.error) },
      };
    } else {
      const input = r.contactId ? { ...p.data, contactId: r.contactId } : p.data;
      parsed.push({ index, input, hash: fingerprint(endpoint, input) });
    }
  });

  const db = getDb();
  const keys = [...new Set(parsed.map((p) => p.input.idempotencyKey).filter((k): k is string => k !== undefined))];
  const [existing, snapshot] = await Promise.all([
    findMessagesByIdempotencyKeys(db, { tenantId: ctx.tenantId, keys }),
    loadRoutingSnapshot(ctx.tenantId),
  ]);
  const byKey = new Map(existing.map((m) => [m.idempotencyKey!, m]));
  // The quota covers the first items that would send something (replays of a stored key cost
  // nothing); the rest are answered 429 item by item (none left: the whole request is a 429),
  // never dropped silently.
  const wouldSend = parsed.filter((p) => p.input.idempotencyKey === undefined || !byKey.has(p.input.idempotencyKey));
  const quota = await takeSendQuota(ctx, wouldSend.length, { partial: true });
  const overQuota = new Set(wouldSend.slice(quota.granted).map((p) => p.index));
  for (const index of overQuota) results[index] = { index, ...(quotaItemError(quota.retryAfterSeconds ?? 1) as Omit<BatchItemOut, "index">) };
  parsed = parsed.filter((p) => !overQuota.has(p.index));
  const deadTokens = await deadTokenSet(db, ctx.tenantId, parsed.map((p) => p.input));
  const suppressedIn = await suppressionCheck(ctx.tenantId, parsed.map((p) => p.input), db);
  const byTemplate = parsed.filter((p) => p.input.template).map((p) => p.input);
  const templateScope = byTemplate.length > 0 ? await loadTemplateSendScope(ctx, byTemplate) : null;
  // Media ids are caller fields (never from a template): every item's in one query.
  const media = await loadSendMedia(ctx.tenantId, parsed.map((p) => p.input));

  const toWrite: { index: number; prepared: Prepared }[] = [];
  /** Later items of the batch that repeat an earlier item's key. */
  const repeats: { index: number; firstIndex: number; hash: string }[] = [];
  const firstWithKey = new Map<string, { index: number; hash: string }>();
  for (const { index, input, hash } of parsed) {
    try {
      const key = input.idempotencyKey;
      if (key !== undefined) {
        const original = byKey.get(key);
        if (original) {
          const r = replayOrConflict(original, hash);
          results[index] = { index, status: r.status, result: r.body, replayed: true };
          continue;
        }
        const first = firstWithKey.get(key);
        if (first) {
          repeats.push({ index, firstIndex: first.index, hash });
          continue;
        }
        firstWithKey.set(key, { index, hash });
      }
      const dead = deadTokenOf(input, deadTokens);
      if (dead) throw deadTokenError(dead);
      const suppressed = suppressedIn(input);
      if (suppressed) throw suppressed;
      const route = input.configId ? await namedConfigRoute(ctx, input) : routeFor(snapshot, input);
      // Rendered per recipient once the item is known to be new (replays above render nothing).
      const final = renderSendInput(ctx, input, templateScope, { event: opts.reminder?.event ?? null });
      const hops = admitSendMedia(final, route, media);
      toWrite.push({ index, prepared: prepare(ctx, final, hops, hash, opts.traceIds?.[index] ?? opts.traceId, opts.reminder?.runId) });
    } catch (err) {
      results[index] = { index, ...errorItem(err) };
    }
  }

  const inserted = await writeMessages(
    toWrite.map((w) => w.prepared),
    { waitForKeys: toWrite.some((w) => w.prepared.row.idempotencyKey !== null) },
  );
  const lost: { index: number; key: string; hash: string }[] = [];
  for (const { index, prepared } of toWrite) {
    const createdAt = inserted.get(prepared.row.id);
    if (createdAt) results[index] = { index, status: 202, result: resultFromPrepared(prepared, createdAt), replayed: false };
    else lost.push({ index, key: prepared.row.idempotencyKey!, hash: prepared.row.requestHash });
  }
  if (lost.length > 0) {
    // Another request committed these keys first (the insert waited for it): answer with theirs.
    const winners = new Map(
      (await findMessagesByIdempotencyKeys(db, { tenantId: ctx.tenantId, keys: lost.map((l) => l.key) })).map((m) => [m.idempotencyKey!, m]),
    );
    for (const l of lost) {
      const w = winners.get(l.key);
      if (!w) results[l.index] = { index: l.index, ...errorItem(inFlight()) };
      else {
        try {
          const r = replayOrConflict(w, l.hash);
          results[l.index] = { index: l.index, status: r.status, result: r.body, replayed: true };
        } catch (err) {
          results[l.index] = { index: l.index, ...errorItem(err) };
        }
      }
    }
  }
  for (const r of repeats) {
    const first = results[r.firstIndex]!;
    const firstHash = parsed.find((p) => p.index === r.firstIndex)!.hash;
    if (r.hash !== firstHash) results[r.index] = { index: r.index, ...errorItem(keyReused()) };
    else if (first.result) results[r.index] = { index: r.index, status: 200, result: first.result, replayed: true };
    else results[r.index] = { ...first, index: r.index };
  }

  let accepted = 0;
  let replayed = 0;
  for (const r of results) {
    if (r.status === 202) accepted++;
    else if (r.status === 200) replayed++;
  }
  return {
    accepted,
    replayed,
    rejected: results.length - accepted - replayed,
    results,
    ...(quota.retryAfterSeconds !== null ? { retryAfterSeconds: quota.retryAfterSeconds } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Idempotency

/**
 * SHA-256 of the canonical request: endpoint, channel, named config, the validated payload and
 * the pass-through fields. Key order and insignificant whitespace don't change it.
 */
export function fingerprint(endpoint: SendEndpoint, input: SendInput): string {
  const canonical = canonicalJson({
    endpoint,
    channel: input.channel,
    config_id: input.configId ?? null,
    // A contact send is the same request whatever address the contact has today.
    payload: input.contactId ? withoutAddress(input.payload) : input.payload,
    // Absent (not null) for literal sends, so their fingerprints stay what they always were.
    template: input.template,
    action_id: input.actionId ?? null,
    context: input.context ?? null,
    // Absent (not null) without a contact, so fingerprints of address sends are unchanged.
    contact_id: input.contactId,
    subscription_topic: input.subscriptionTopic,
    // Absent without one, so fingerprints of immediate sends are unchanged.
    send_at: input.sendAt,
  });
  return createHash("sha256").update(canonical).digest("hex");
}

function withoutAddress(payload: Record<string, unknown>): Record<string, unknown> {
  const { to: _to, target: _target, ...rest } = payload;
  return rest;
}

function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

function replayOrConflict(original: Message, requestHash: string): SendOutcome {
  if (original.requestHash !== requestHash) throw keyReused();
  return { status: 200, replayed: true, body: resultFromRow(original) };
}

function keyReused() {
  return new ApiError({
    code: "idempotency_key_reused",
    status: 422,
    message: "This idempotency key was already used with a different request. Use a new key for a new message.",
  });
}

function inFlight() {
  return new ApiError({
    code: "idempotency_request_in_progress",
    status: 409,
    message: "A request with this idempotency key is still being processed. Retry shortly.",
    details: { retry_after_seconds: 1 },
    headers: { "Retry-After": "1" },
  });
}

function isLockTimeout(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === "55P03") return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Routing

async function namedConfigRoute(ctx: TenantContext, input: SendInput): Promise<RouteHop[]> {
  const config = await findConfigRecord(ctx.tenantId, input.configId!);
  if (!config) throw ApiError.notFound("Provider config");
  // The unified endpoint pins by channel (any provider of it); provider endpoints by provider.
  if (!input.provider && providerChannels[config.provider] !== input.channel) {
    throw new ApiError({
      code: "COMM_CONFIG_CHANNEL_MISMATCH",
      status: 422,
      message: `Config ${config.id} is a ${config.provider} config, which cannot send ${input.channel}.`,
      details: [{ path: "config_id", message: `Cannot send ${input.channel}`, provider: config.provider }],
    });
  }
  if (input.provider && config.provider !== input.provider) {
    throw new ApiError({
      code: "COMM_CONFIG_PROVIDER_MISMATCH",
      status: 422,
      message: `Config ${config.id} is a ${config.provider} config; this endpoint sends through ${input.provider}.`,
      details: [{ path: "config_id", message: `Not a ${input.provider} config`, provider: config.provider }],
    });
  }
  if (config.status !== "active") {
    throw new ApiError({
      code: "COMM_CONFIG_NOT_ACTIVE",
      status: 422,
      message: `Config ${config.id} is ${config.status}; only active configs send.`,
      details: [{ path: "config_id", message: `The config is ${config.status}`, status: config.status }],
    });
  }
  // The named config must still be able to serve the recipient (e.g. Twilio's supported countries).
  const snapshot: RoutingSnapshot = { tenantId: ctx.tenantId, activeConfigs: [config], rules: new Map() };
  const hops = routeFor(snapshot, input);
  return hops.filter((h) => h.configId === config.id);
}

function routeFor(snapshot: RoutingSnapshot, input: SendInput): RouteHop[] {
  const attrs = recipientAttributes(input.channel, recipientOf(input), pushRouteOptions(input));
  const decision = decideFromSnapshot(snapshot, input.channel, attrs);
  if (decision.hops.length === 0) {
    throw new ApiError({
      code: "COMM_NO_ROUTE",
      status: 422,
      message: noRouteMessage(input.channel, attrs.country),
      details: { channel: input.channel, country: attrs.country ?? null, skipped: decision.skipped },
    });
  }
  return decision.hops;
}

function noRouteMessage(channel: Channel, country?: string) {
  if ((channel === "sms" || channel === "whatsapp") && country) {
    return `No active provider config can send ${channel} to this recipient (${country}).`;
  }
  return `No active provider config can send ${channel} to this recipient.`;
}

function pushRouteOptions(input: SendInput) {
  if (input.channel !== "push") return {};
  const p = input.payload as PushPayload;
  return {
    platform: p.target?.platform,
    pushTarget: { deviceToken: p.target?.device_token !== undefined, playerId: p.target?.player_id !== undefined, topic: p.topic !== undefined },
  };
}

// ---------------------------------------------------------------------------------------------
// Push hygiene

function pushTokensOf(input: SendInput): string[] {
  if (input.channel !== "push") return [];
  const t = (input.payload as PushPayload).target;
  return [t?.device_token, t?.player_id].filter((v): v is string => v !== undefined);
}

async function deadTokenSet(db: DbOrTx, tenantId: string, inputs: SendInput[]) {
  const tokens = [...new Set(inputs.flatMap(pushTokensOf))];
  const dead = await findInactiveDeviceTokens(db, { tenantId, tokens });
  return new Map(dead.map((d) => [d.token, d.reason]));
}

function deadTokenOf(input: SendInput, dead: Map<string, string | null>) {
  for (const t of pushTokensOf(input)) if (dead.has(t)) return { token: t, reason: dead.get(t) ?? null };
  return undefined;
}

function deadTokenError(dead: { token: string; reason: string | null }) {
  return new ApiError({
    code: "COMM_INVALID_RECIPIENT",
    status: 422,
    message: `This device token was deactivated${dead.reason ? ` (${dead.reason})` : ""}: the provider reported it unregistered or invalid.`,
    details: [{ path: "target", message: "Deactivated device token", reason: dead.reason }],
  });
}


// ---------------------------------------------------------------------------------------------
// Rows

/** The address column: what the list searches and the events carry as `recipient`. */
export function recipientOf(input: Pick<SendInput, "channel" | "payload">): string {
  switch (input.channel) {
    case "email":
      return (input.payload as EmailPayload).to.map((r) => r.email).join(", ");
    case "sms":
      return (input.payload as SmsPayload).to;
    case "whatsapp":
      return (input.payload as WhatsappPayload).to;
    case "push": {
      const p = input.payload as PushPayload;
      return p.topic !== undefined ? `topic:${p.topic}` : (p.target?.device_token ?? p.target?.player_id ?? "");
    }
  }
}

function templateIdOf(input: SendInput): string | null {
  if (input.channel === "email") return (input.payload as EmailPayload).template_id ?? null;
  if (input.channel === "whatsapp") return (input.payload as WhatsappPayload).template_name ?? null;
  return null;
}

/** W3C trace id (32 hex): the caller's when it sent one, else a new one. */
export function newTraceId() {
  return randomBytes(16).toString("hex");
}

/** A send_at this close (or past) is sent at once rather than scheduled. */
const SCHEDULE_MIN_AHEAD_MS = 1000;

function prepare(ctx: TenantContext, input: SendInput, hops: RouteHop[], requestHash: string, traceId?: string, reminderRunId?: string): Prepared {
  const id = randomUUID();
  const sendAt = input.sendAt ? new Date(input.sendAt) : null;
  const scheduled = sendAt !== null && sendAt.getTime() > Date.now() + SCHEDULE_MIN_AHEAD_MS;
  let sms: Prepared["sms"];
  if (input.channel === "sms") {
    const s = smsSegments((input.payload as SmsPayload).body);
    sms = { segments: s.segments, encoding: s.encoding, characters: s.characters };
  }
  const first = hops[0]!;
  return {
    sms,
    row: {
      id,
      tenantId: ctx.tenantId,
      channel: input.channel,
      status: scheduled ? "scheduled" : "queued",
      sendAt: scheduled ? sendAt : null,
      reminderRunId: reminderRunId ?? null,
      route: hops,
      provider: first.provider as NewMessage["provider"],
      configId: first.configId,
      recipient: recipientOf(input),
      contactId: input.contactId ?? null,
      payload: input.payload,
      templateId: input.template?.key ?? templateIdOf(input),
      templateVersion: input.templateVersion ?? null,
      idempotencyKey: input.idempotencyKey ?? null,
      requestHash,
      actionId: input.actionId ?? null,
      context: input.context ?? null,
      traceId: traceId ?? newTraceId(),
      providerReference: `hm_${id}`,
      segments: sms?.segments ?? null,
    },
  };
}

/**
 * One statement (atomic without BEGIN/COMMIT): the messages (duplicates of a taken key skipped),
 * and for the inserted ones only their first status-history row and their herald/message.queued
 * outbox event (id = message id). With idempotency keys the statement waits at most
 * IN_FLIGHT_WAIT_MS for another request's uncommitted row with the same key, then answers 409.
 * Returns inserted id → created_at.
 */
async function writeMessages(prepared: Prepared[], opts: { waitForKeys: boolean }): Promise<Map<string, Date>> {
  if (prepared.length === 0) return new Map();
  // Validated before the statement is built: a bad payload fails here, with nothing written.
  const events = outboxRows(
    prepared.map(({ row }) => ({
      name: "herald/message.queued" as const,
      data: { tenantId: row.tenantId, messageId: row.id },
      tenantId: row.tenantId,
      id: row.id,
    })),
  );
  try {
    const inserted = await insertAcceptedMessages(getDb(), {
      rows: prepared.map((p) => p.row),
      history: { fromStatus: null, reason: "accepted" },
      events,
      ...(opts.waitForKeys ? { lockTimeoutMs: IN_FLIGHT_WAIT_MS } : {}),
    });
    const ids = new Map(inserted.map((m) => [m.id, m.createdAt]));
    countMessagesAccepted(prepared.flatMap((p) => (ids.has(p.row.id) ? [p.row] : [])));
    return ids;
  } catch (err) {
    if (isLockTimeout(err)) throw inFlight();
    throw err;
  }
}

function resultFromPrepared(p: Prepared, createdAt: Date): SendResultOut {
  const r = p.row;
  return {
    id: r.id,
    status: r.status ?? "queued",
    channel: r.channel,
    provider: r.provider ?? null,
    config_id: r.configId ?? null,
    route: (r.route ?? []).map((h) => ({ config_id: h.configId, provider: h.provider as NonNullable<NewMessage["provider"]> })),
    idempotency_key: r.idempotencyKey,
    ...(p.sms ? { sms: p.sms } : {}),
    ...(r.sendAt ? { send_at: r.sendAt.toISOString() } : {}),
    created_at: createdAt.toISOString(),
  };
}

export function resultFromRow(m: Message): SendResultOut {
  let sms: SendResultOut["sms"];
  if (m.channel === "sms" && typeof m.payload.body === "string") {
    const s = smsSegments(m.payload.body);
    sms = { segments: m.segments ?? s.segments, encoding: s.encoding, characters: s.characters };
  }
  return {
    id: m.id,
    status: m.status,
    channel: m.channel,
    provider: m.provider,
    config_id: m.configId,
    route: m.route.map((h) => ({ config_id: h.configId, provider: h.provider as NonNullable<Message["provider"]> })),
    idempotency_key: m.idempotencyKey,
    ...(sms ? { sms } : {}),
    ...(m.sendAt ? { send_at: m.sendAt.toISOString() } : {}),
    created_at: m.createdAt.toISOString(),
  };
}

function errorItem(err: unknown): Omit<BatchItemOut, "index"> {
  if (err instanceof ApiError) {
    return { status: err.status, error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) } };
  }
  throw err;
}

