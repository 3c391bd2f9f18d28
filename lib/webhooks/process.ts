// Applies recorded webhook events: match to messages, move state forward, suppress, count usage.
import { randomUUID } from "node:crypto";
import { getDb } from "@/db";
import { failPendingWebhookEvents } from "@/db/queries/stuck-work";
import { appendUsage, type UsageDelta } from "@/db/queries/usage";
import {
  applyMessageStates,
  claimPendingWebhookEvents,
  finishWebhookEvents,
  hasMessagesInFlight,
  insertInboundMessages,
  insertStatusTransitions,
  insertSuppressions,
  lockMessagesForEvents,
  type WebhookEventResult,
} from "@/db/queries/webhook-events";
import type { Message, NewMessage } from "@/db/schema/messages";
import type { ProviderKind } from "@/db/schema/provider-configs";
import type { WebhookEvent } from "@/db/schema/webhooks";
import { unsubscribeContactsForSuppressions } from "@/lib/contacts/subscriptions";
import { logger } from "@/lib/logger";
import { enqueueWebhookDeliveries, inboundOutboundEvent, messageOutboundEvent, type OutboundEvent } from "@/lib/outbound-webhooks/enqueue";
import { emitEvents, type EventToEmit } from "@/lib/jobs/emit";
import { normalizeAddress } from "@/lib/suppressions";
import { applyEvent, stateOf, transitionTime, type MessageState } from "./state";
import type { NormalizedEvent } from "./types";

/** Events whose message is still being sent wait this long for the send to be recorded, then count as unmatched. */
export const MATCH_WAIT_MS = Number(process.env.HERALD_WEBHOOK_MATCH_WAIT_MS ?? 10 * 60_000);

const STOP_WORDS = /^\s*(stop|stopp|unsubscribe|end|quit|cancel|stopall)\s*$/i;

/** The normalized fields kept in `details` (everything but the payload and the time, which have columns). */
export type EventDetails = Omit<NormalizedEvent, "payload" | "occurredAt">;

export function detailsOf(e: NormalizedEvent): EventDetails {
  const { payload: _payload, occurredAt: _at, ...rest } = e;
  return rest;
}

function normalizedOf(row: WebhookEvent): NormalizedEvent {
  return { ...(row.details as unknown as EventDetails), occurredAt: row.occurredAt, payload: row.payload };
}

export interface ProcessSummary {
  processed: number;
  unmatched: number;
  waiting: number;
  failed: number;
}

/**
 * Processes pending events of a tenant (the given ids, or the oldest `limit`) in ONE
 * transaction: the state change, history, suppressions, usage and the events' own status
 * commit together, so a re-run finds them processed and changes nothing.
 */
export async function processWebhookEvents(tenantId: string, opts: { ids?: string[]; limit?: number; now?: number } = {}): Promise<ProcessSummary> {
  const db = getDb();
  const now = opts.now ?? Date.now();
  return db.transaction(async (tx) => {
    const rows = await claimPendingWebhookEvents(tx, { tenantId, ids: opts.ids, limit: opts.limit ?? 2000 });
    const summary: ProcessSummary = { processed: 0, unmatched: 0, waiting: 0, failed: 0 };
    if (rows.length === 0) return summary;
    const results: WebhookEventResult[] = [];
    const events = rows.map((row) => ({ row, e: normalizedOf(row) }));

    // Inbound messages become rows of their own.
    const inbound: (NewMessage & { id: string })[] = [];
    // Files that came with inbound messages: downloaded by the job engine, not on this path.
    const mediaDownloads: EventToEmit[] = [];
    const suppress: Parameters<typeof insertSuppressions>[1] = [];
    // Customer-facing events for tenants' outbound webhook endpoints, enqueued with this transaction.
    const outbound: OutboundEvent[] = [];
    for (const { row, e } of events) {
      if (e.type !== "inbound" || !e.inbound) continue;
      const id = randomUUID();
      inbound.push({
        id,
        tenantId,
        channel: e.inbound.channel,
        direction: "inbound",
        status: "received",
        provider: row.provider,
        configId: row.configId,
        recipient: e.inbound.from,
        payload: {
          from: e.inbound.from,
          to: e.inbound.to,
          body: e.inbound.text,
          ...(e.inbound.name ? { name: e.inbound.name } : {}),
          ...(e.inbound.media
            ? {
                media: {
                  type: e.inbound.media.kind,
                  provider_media_id: e.inbound.media.providerMediaId,
                  ...(e.inbound.media.mimeType ? { mime_type: e.inbound.media.mimeType } : {}),
                  ...(e.inbound.media.filename ? { filename: e.inbound.media.filename } : {}),
                  ...(e.inbound.media.caption ? { caption: e.inbound.media.caption } : {}),
                },
              }
            : {}),
        },
        traceId: randomUUID(),
        providerReference: `hm_${id}`,
        providerMessageId: e.providerMessageId ?? null,
        createdAt: e.occurredAt,
      });
      let outcome = `stored as inbound ${e.inbound.channel} message`;
      if (e.inbound.media && row.configId) {
        const m = e.inbound.media;
        mediaDownloads.push({
          name: "herald/inbound-media.received",
          // The inbound message is new and unique: its id keys the download.
          id,
          tenantId,
          data: { tenantId, messageId: id, configId: row.configId, providerMediaId: m.providerMediaId, kind: m.kind, ...(m.mimeType ? { mimeType: m.mimeType } : {}), ...(m.filename ? { filename: m.filename } : {}) },
        });
        outcome += ` · ${m.kind} to download`;
      }
      if (STOP_WORDS.test(e.inbound.text)) {
        suppress.push({ tenantId, channel: e.inbound.channel, address: normalizeAddress(e.inbound.channel, e.inbound.from), reason: "unsubscribe", provider: row.provider, sourceEventId: row.id, messageId: id });
        outcome += " · sender opted out (suppressed)";
      }
      results.push({ id: row.id, status: "processed", messageId: id, outcome });
      const received = inboundOutboundEvent({ row, e, messageId: id });
      if (received) outbound.push(received);
    }
    await insertInboundMessages(tx, inbound);
    await emitEvents(tx, mediaDownloads);

    const outboundEvents = events.filter(({ e }) => e.type !== "inbound");
    const providerIds = new Map<ProviderKind, Set<string>>();
    for (const { row, e } of outboundEvents) {
      if (!e.providerMessageId) continue;
      const set = providerIds.get(row.provider) ?? new Set<string>();
      // A Message-ID style send answer has the id in angle brackets; events may name it without.
      set.add(e.providerMessageId).add(`<${e.providerMessageId}>`);
      providerIds.set(row.provider, set);
    }
    const messagesFound = await lockMessagesForEvents(tx, {
      tenantId,
      ids: [...new Set(outboundEvents.map(({ e }) => e.heraldMessageId).filter((v): v is string => !!v))],
      providerMessageIds: [...providerIds].map(([provider, ids]) => ({ provider, ids: [...ids] })),
    });
    const byId = new Map(messagesFound.map((m) => [m.id, m]));
    const byProviderId = new Map<string, Message>();
    for (const m of messagesFound) if (m.providerMessageId && m.provider) byProviderId.set(`${m.provider}:${m.providerMessageId.replace(/^<|>$/g, "")}`, m);

    const inFlight = new Map<ProviderKind, boolean>();
    const states = new Map<string, MessageState>();
    const original = new Map<string, string>();
    const usage: UsageDelta[] = [];
    const history: Parameters<typeof insertStatusTransitions>[1] = [];

    // Within a batch, apply in the order the provider says things happened.
    outboundEvents.sort((a, b) => a.e.occurredAt.getTime() - b.e.occurredAt.getTime());
    for (const { row, e } of outboundEvents) {
      const provider = row.provider;
      const found =
        (e.heraldMessageId ? byId.get(e.heraldMessageId) : undefined) ??
        (e.providerMessageId ? byProviderId.get(`${provider}:${e.providerMessageId.replace(/^<|>$/g, "")}`) : undefined);
      // A config's webhook speaks only for messages sent through that config: an event naming
      // another config's message (a forged or misrouted one) is kept, unmatched, and never applied.
      if (found && row.configId && found.configId !== row.configId) {
        results.push({ id: row.id, status: "unmatched", messageId: null, outcome: "the event names a message of another config; not applied" });
        summary.unmatched++;
        continue;
      }
      const message = found;
      const young = now - row.receivedAt.getTime() < MATCH_WAIT_MS;
      if (!message) {
        // A report can overtake the recording of its send (the provider id is written after the call returns).
        if (young && !e.heraldMessageId && !inFlight.has(provider)) inFlight.set(provider, await hasMessagesInFlight(tx, { tenantId, provider }));
        if (young && !e.heraldMessageId && inFlight.get(provider)) {
          results.push({ id: row.id, status: "pending", messageId: null, outcome: "waiting for the send to be recorded" });
          summary.waiting++;
        } else {
          results.push({ id: row.id, status: "unmatched", messageId: null, outcome: "no Herald message matches this event" });
          summary.unmatched++;
        }
        continue;
      }
      if (message.status === "queued" || message.status === "sending") {
        if (young) {
          results.push({ id: row.id, status: "pending", messageId: message.id, outcome: "waiting for the send to be recorded" });
          summary.waiting++;
        } else {
          results.push({ id: row.id, status: "failed", messageId: message.id, outcome: `the message is still ${message.status}` });
          summary.failed++;
        }
        continue;
      }
      let state = states.get(message.id);
      if (!state) {
        state = stateOf(message);
        states.set(message.id, state);
        original.set(message.id, JSON.stringify(state));
      }
      const effect = applyEvent(state, e);
      const u = effect.usage;
      if (Object.keys(u).length > 0) {
        usage.push({ tenantId, configId: message.configId, provider: message.provider, channel: message.channel, at: e.occurredAt, ...u });
      }
      if (effect.transition) {
        history.push({ messageId: message.id, tenantId, fromStatus: effect.transition.from, toStatus: effect.transition.to, reason: `${provider} ${e.providerEvent}`.slice(0, 500), at: transitionTime(e.occurredAt, message.sentAt) });
      }
      if (effect.suppress && (message.channel === "email" || message.channel === "sms" || message.channel === "whatsapp")) {
        suppress.push({ tenantId, channel: message.channel, address: normalizeAddress(message.channel, e.recipient ?? message.recipient), reason: effect.suppress, provider, sourceEventId: row.id, messageId: message.id });
      }
      results.push({ id: row.id, status: "processed", messageId: message.id, outcome: effect.outcome });
      const customerEvent = messageOutboundEvent({ row, e, message, status: state.status, transitionTo: effect.transition?.to, counters: { opens: state.opens, clicks: state.clicks } });
      if (customerEvent) outbound.push(customerEvent);
      summary.processed++;
    }

    const changed = [...states.values()].filter((s) => JSON.stringify(s) !== original.get(s.id));
    await applyMessageStates(tx, { tenantId, updates: changed });
    await insertStatusTransitions(tx, history);
    await insertSuppressions(tx, suppress);
    // Contacts holding a newly suppressed address become unsubscribed from that channel.
    await unsubscribeContactsForSuppressions(tx, suppress);
    await appendUsage(tx, usage);
    await finishWebhookEvents(tx, { tenantId, results });
    await enqueueWebhookDeliveries(tx, { tenantId, events: outbound });
    summary.processed += inbound.length;
    return summary;
  });
}

/** Drains a tenant's pending events in chunks; says how many are still waiting for their send. */
export async function drainWebhookEvents(tenantId: string, opts: { ids?: string[]; chunk?: number } = {}): Promise<ProcessSummary> {
  const total: ProcessSummary = { processed: 0, unmatched: 0, waiting: 0, failed: 0 };
  const chunk = opts.chunk ?? 2000;
  for (let i = 0; i < 1000; i++) {
    const s = await processWebhookEvents(tenantId, { ids: opts.ids, limit: chunk });
    total.processed += s.processed;
    total.unmatched += s.unmatched;
    total.failed += s.failed;
    total.waiting = s.waiting;
    const handled = s.processed + s.unmatched + s.failed + s.waiting;
    if (handled < chunk || s.processed + s.unmatched + s.failed === 0) break;
  }
  if (total.failed > 0) logger.warn({ tenantId, failed: total.failed }, "webhook events could not be applied");
  return total;
}

/** The on-failure path: the tenant's pending events already past the match wait end `failed` with the reason. */
export async function failUnmatchableWebhookEvents(input: { tenantId: string; reason: string }) {
  const rows = await failPendingWebhookEvents(getDb(), { tenantId: input.tenantId, reason: input.reason, cutoff: new Date(Date.now() - MATCH_WAIT_MS) });
  return { failed: rows.length };
}
