// How provider events move a message: forward only, engagement counters only up, usage once per change.
import type { Message, MessageStatus } from "@/db/schema/messages";
import type { MessageStateUpdate } from "@/db/queries/webhook-events";
import type { SuppressionReason } from "@/db/schema/suppressions";
import type { NormalizedEvent } from "./types";

/**
 * The forward order. A status only moves to a higher rank: a late `delivered` after `opened`
 * changes nothing. The failures share the rank of `delivered` (either one ends the delivery),
 * and a bounce may still follow a `delivered` (asynchronous bounces) but never an engagement.
 */
export const statusRank: Record<MessageStatus, number> = {
  scheduled: 0,
  queued: 0,
  sending: 1,
  sent: 2,
  delivered: 3,
  failed: 3,
  undelivered: 3,
  bounced: 3.5,
  read: 4,
  opened: 4,
  clicked: 5,
  received: 0,
  // Never sent: no provider event can move it.
  cancelled: 9,
};

const FAILURES: MessageStatus[] = ["failed", "undelivered", "bounced"];
export const isFailure = (s: MessageStatus) => FAILURES.includes(s);

/** The mutable state of one message while a batch is applied. */
export type MessageState = MessageStateUpdate & { channel: Message["channel"]; recipient: string };

export interface EventEffect {
  outcome: string;
  transition?: { from: MessageStatus; to: MessageStatus };
  usage: {
    /** -1 when a bounce takes back an earlier delivery. */
    delivered?: number; opened?: number; clicked?: number; bounced?: number; failed?: number; segments?: number; cost?: number; costCurrency?: string };
  suppress?: SuppressionReason;
}

export function stateOf(m: Message): MessageState {
  return {
    id: m.id,
    channel: m.channel,
    recipient: m.recipient,
    status: m.status,
    opens: m.opens,
    uniqueOpens: m.uniqueOpens,
    clicks: m.clicks,
    uniqueClicks: m.uniqueClicks,
    bounceType: m.bounceType,
    readAt: m.readAt,
    deliveredAt: m.deliveredAt,
    failedAt: m.failedAt,
    errorCode: m.errorCode,
    errorMessage: m.errorMessage,
    segments: m.segments,
    costAmount: m.costAmount,
    costCurrency: m.costCurrency,
  };
}

function moveTo(s: MessageState, to: MessageStatus, effect: EventEffect): boolean {
  const from = s.status;
  if (from === to || statusRank[to] <= statusRank[from]) return false;
  // Once failed, only a bounce verdict may still replace a plain failure; engagement never revives it.
  if (isFailure(from) && !(to === "bounced" && from !== "bounced")) return false;
  s.status = to;
  effect.transition = { from, to };
  return true;
}

/** An engagement proves delivery: count it once if no delivery report came (or it comes late). */
function impliedDelivery(s: MessageState, e: NormalizedEvent, effect: EventEffect) {
  if (s.deliveredAt === null && !isFailure(s.status)) {
    s.deliveredAt = e.occurredAt;
    effect.usage.delivered = 1;
  }
}

/** Applies one event to the state (in place) and says what it did. */
export function applyEvent(s: MessageState, e: NormalizedEvent): EventEffect {
  const effect: EventEffect = { outcome: "", usage: {} };
  const before = s.status;
  switch (e.type) {
    case "accepted":
    case "sent":
      effect.outcome = `no change: ${e.type}`;
      break;
    case "deferred":
      effect.outcome = `deferred${e.reason ? `: ${e.reason}` : ""}`;
      break;
    case "delivered":
      if (moveTo(s, "delivered", effect)) impliedDelivery(s, e, effect);
      else if (!isFailure(s.status)) impliedDelivery(s, e, effect);
      break;
    case "bounced":
      if (statusRank[s.status] <= statusRank.delivered && s.status !== "bounced" && moveTo(s, "bounced", effect)) {
        s.bounceType = e.bounceType ?? "hard";
        s.failedAt = e.occurredAt;
        s.errorCode = e.errorCode ?? s.errorCode;
        s.errorMessage = e.reason ?? s.errorMessage;
        effect.usage.bounced = 1;
        // An asynchronous bounce after `delivered` takes the delivery back: a message is counted
        // delivered or bounced, never both (metric-definitions).
        if (s.deliveredAt !== null) effect.usage.delivered = -1;
        if (s.bounceType === "hard") effect.suppress = "hard_bounce";
      }
      break;
    case "dropped":
    case "failed": {
      const to: MessageStatus = e.providerEvent === "undelivered" ? "undelivered" : "failed";
      if (statusRank[s.status] < statusRank.delivered && moveTo(s, to, effect)) {
        s.failedAt = e.occurredAt;
        s.errorCode = e.errorCode ?? e.type;
        s.errorMessage = e.reason ?? `${e.providerEvent}`;
        effect.usage.failed = 1;
      }
      break;
    }
    case "open":
    case "read":
      if (isFailure(s.status)) {
        effect.outcome = `no change: ${s.status}`;
        break;
      }
      impliedDelivery(s, e, effect);
      if (e.type === "open") s.opens += 1;
      if (e.type === "read" && s.readAt === null) s.readAt = e.occurredAt;
      if (s.uniqueOpens === 0) {
        s.uniqueOpens = 1;
        effect.usage.opened = 1;
      }
      moveTo(s, e.type === "open" ? "opened" : "read", effect);
      break;
    case "click":
      if (isFailure(s.status)) {
        effect.outcome = `no change: ${s.status}`;
        break;
      }
      impliedDelivery(s, e, effect);
      s.clicks += 1;
      if (s.uniqueClicks === 0) {
        s.uniqueClicks = 1;
        effect.usage.clicked = 1;
      }
      // A click proves an open even when the open pixel was blocked.
      if (s.uniqueOpens === 0) {
        s.uniqueOpens = 1;
        effect.usage.opened = 1;
      }
      moveTo(s, "clicked", effect);
      break;
    case "spam_report":
      effect.suppress = "spam_report";
      break;
    case "unsubscribe":
      effect.suppress = "unsubscribe";
      break;
    case "inbound":
      break;
  }
  // Reports that carry price and parts (Infobip) fill in what the send answer could not.
  if (e.segments && s.segments === null) {
    s.segments = e.segments;
    effect.usage.segments = e.segments;
  }
  if (e.cost && s.costAmount === null) {
    s.costAmount = e.cost.amount.toFixed(4);
    s.costCurrency = e.cost.currency;
    effect.usage.cost = e.cost.amount;
    effect.usage.costCurrency = e.cost.currency;
  }
  if (!effect.outcome) {
    const parts = [effect.transition ? `${before} → ${s.status}` : `no change: already ${s.status}`];
    if (e.type === "open" || e.type === "click") parts.push(`${e.type}s ${e.type === "open" ? s.opens : s.clicks}`);
    if (e.type === "click" && e.url) parts.push(e.url);
    if (effect.suppress) parts.push(`suppressed (${effect.suppress})`);
    effect.outcome = parts.join(" · ");
  } else if (effect.suppress) effect.outcome += ` · suppressed (${effect.suppress})`;
  return effect;
}

/**
 * When a provider-reported transition enters the status history: the provider's time, but never
 * before Herald recorded the send. Providers stamp whole seconds (SendGrid) or run their own clock,
 * so a "delivered" could otherwise sort before the "queued → sending → sent" that caused it.
 */
export function transitionTime(occurredAt: Date, sentAt: Date | null): Date {
  return sentAt && occurredAt.getTime() < sentAt.getTime() ? sentAt : occurredAt;
}
