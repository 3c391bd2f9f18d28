// Shapes shared by the simulator server, its control API and SimulatorClient. Provider names and
// account shapes come from the simulator's provider registry (providers/index.ts): each module
// declares its own account type, so a new provider touches only its module and that registry.
import type { ProviderName } from "./providers/index";

export type { Account, AccountOf, ProviderName } from "./providers/index";

export interface AccountBase {
  id: string;
  /** The registry key of the module that owns this account. */
  provider: string;
  label: string;
  /** One default account per provider exists from start-up and survives reset(). */
  isDefault: boolean;
  /** Where provider-configured webhooks go (SendGrid event webhook, Mailgun webhook, WhatsApp
   * callback URL, 46elks sms_url for inbound). Twilio and Infobip take the URL per message. */
  webhookUrl: string | null;
  /** null = follow the simulator-wide setting. */
  autoDelivery: boolean | null;
  createdAt: string;
}

export interface CreateAccountInput {
  provider: ProviderName;
  label?: string;
  webhookUrl?: string | null;
  /** Fixed credential strings (e.g. apiKey, domain, accountSid, authToken, appId, projectId,
   * phoneNumberId, appSecret). Key material (SendGrid ECDSA, FCM RSA) is always generated. */
  credentials?: Record<string, string>;
}

export interface UpdateAccountInput {
  webhookUrl?: string | null;
  autoDelivery?: boolean | null;
}

export const FAILURE_MODES = [
  "rate_limit",
  "server_error",
  "timeout",
  "auth_error",
  "invalid_recipient",
] as const;
export type FailureMode = (typeof FAILURE_MODES)[number];

export interface FailureRuleInput {
  mode: FailureMode;
  /** Omitted = every provider. */
  provider?: ProviderName;
  /** Omitted = every account (global rule). */
  accountId?: string;
  /** Exact recipient (email, E.164 number, device token, subscription id). */
  recipient?: string;
  recipientPrefix?: string;
  /** Probability 0..1 that a matching request fails (default 1), drawn from the seeded PRNG. */
  rate?: number;
  /** Fail the next N matching requests, then the rule retires. */
  count?: number;
  /** server_error: 500, 502 or 503 (default 500). */
  status?: number;
  /** rate_limit: Retry-After seconds (default 1). */
  retryAfterSeconds?: number;
  /** timeout: how long to hold the connection before destroying it (default 10000). */
  holdMs?: number;
}

export interface FailureRule extends FailureRuleInput {
  id: string;
  /** How many requests this rule has failed so far. */
  fired: number;
  createdAt: string;
}

export interface RecordedRequest {
  seq: number;
  provider: ProviderName | null;
  accountId: string | null;
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string | null;
  /** JSON body, or form fields (repeated fields become arrays). */
  body: unknown;
  recipients: string[];
  /** Provider idempotency reference if the request carried one (see README in report). */
  idempotencyRef: string | null;
  messageIds: string[];
  /** null when the connection was destroyed (timeout mode). */
  status: number | null;
  failureRuleId: string | null;
  receivedAt: string;
  respondedAt: string;
}

export interface SentMessage {
  id: string;
  provider: ProviderName;
  accountId: string;
  recipients: string[];
  createdAt: string;
  /** Provider-specific data needed to build webhooks (callback URL, custom args, tags…). */
  meta: Record<string, unknown>;
}

export interface WebhookDelivery {
  seq: number;
  provider: ProviderName;
  accountId: string;
  messageId: string | null;
  event: string;
  url: string;
  headers: Record<string, string>;
  /** The exact body that went on the wire. */
  body: string;
  status: number | null;
  error: string | null;
  sentAt: string;
}

export const ENGAGEMENT_EVENTS = [
  "processed",
  "sent",
  "delivered",
  "open",
  "click",
  "bounce",
  "dropped",
  "spamreport",
  "unsubscribe",
  "deferred",
  "read",
  "failed",
  "undelivered",
] as const;
export type EngagementEvent = (typeof ENGAGEMENT_EVENTS)[number];

export interface TriggerEventInput {
  messageId: string;
  event: EngagementEvent;
  /** Limit to one recipient of a multi-recipient email. */
  recipient?: string;
  /** click */
  url?: string;
  /** bounce */
  bounceType?: "hard" | "soft" | "block";
  reason?: string;
  /** failed/undelivered: provider error code (Twilio ErrorCode, WhatsApp error code…). */
  errorCode?: number;
}

export interface InboundInput {
  accountId: string;
  from: string;
  /** Defaults to the account's own number. */
  to?: string;
  text: string;
  /** WhatsApp profile name. */
  name?: string;
  /** WhatsApp: a media message (the simulator holds the file and sends its media id). */
  media?: InboundMediaInput;
}

export interface InboundMediaInput {
  type: "image" | "video" | "audio" | "document" | "sticker";
  mimeType: string;
  /** The file, base64. */
  contentBase64: string;
  filename?: string;
  caption?: string;
}

export interface ListFilter {
  provider?: ProviderName;
  accountId?: string;
  /** Epoch ms or ISO date: only records at or after it. */
  since?: number | string;
  /** Only records with seq greater than this. */
  afterSeq?: number;
  limit?: number;
}
