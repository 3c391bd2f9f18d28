import type { ProviderKind } from "@/db/schema/provider-configs";
import type { WebhookVerification } from "@/db/schema/webhooks";

/** Herald's vocabulary for what a provider reported. */
export const webhookEventTypes = [
  "accepted",
  "sent",
  "delivered",
  "deferred",
  "bounced",
  "dropped",
  "failed",
  "spam_report",
  "unsubscribe",
  "open",
  "click",
  "read",
  "inbound",
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

export type BounceType = "hard" | "soft" | "block";

/** One provider event, normalized; `payload` is what the provider sent for it. */
export interface NormalizedEvent {
  eventKey: string;
  type: WebhookEventType;
  providerEvent: string;
  occurredAt: Date;
  /** How to find the Herald message: its id (custom arg), the provider's id, or Herald's reference. */
  heraldMessageId?: string;
  providerMessageId?: string;
  providerReference?: string;
  recipient?: string;
  url?: string;
  bounceType?: BounceType;
  errorCode?: string;
  reason?: string;
  segments?: number;
  cost?: { amount: number; currency: string };
  inbound?: { from: string; to: string | null; text: string; name?: string; channel: "sms" | "whatsapp"; media?: InboundMedia };
  payload: Record<string, unknown>;
}

/** A file that came with an inbound message, as the provider names it (fetched later by the job engine). */
export interface InboundMedia {
  /** The provider's id of the file (WhatsApp: valid 7 days). */
  providerMediaId: string;
  /** image, video, audio, document, sticker … */
  kind: string;
  mimeType?: string;
  sha256?: string;
  filename?: string;
  caption?: string;
}

export class WebhookRejected extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 413 | 415 | 422,
    message: string,
    readonly details?: { path: string; message: string }[],
  ) {
    super(message);
    this.name = "WebhookRejected";
  }
}

export interface VerifiedRequest {
  provider: ProviderKind;
  verification: WebhookVerification;
  events: NormalizedEvent[];
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
export const strOf = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : typeof v === "number" ? String(v) : undefined);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A Herald message id from a custom arg or reference (`hm_<uuid>`), or undefined. */
export function heraldIdFrom(v: unknown): string | undefined {
  const s = strOf(v);
  if (!s) return undefined;
  const id = s.startsWith("hm_") ? s.slice(3) : s;
  return UUID.test(id) ? id.toLowerCase() : undefined;
}

export function dateFromSeconds(v: unknown, fallback = new Date()): Date {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? new Date(n * 1000) : fallback;
}
