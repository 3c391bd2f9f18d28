// The value lists behind Herald's enum columns, table-free so zod schemas and client code can read
// them without pulling table definitions into a bundle. The table files build their columns from these.

/** Provider kinds: one per folder in lib/providers/ (the provider_kind enum; a new kind needs a migration). */
export const providerKinds = ["sendgrid", "mailgun", "elks", "twilio", "infobip", "fcm", "onesignal", "whatsapp", "netgsm"] as const;
export type ProviderKind = (typeof providerKinds)[number];

export const providerConfigStatuses = ["draft", "active", "paused", "error", "decommissioned"] as const;
export type ProviderConfigStatus = (typeof providerConfigStatuses)[number];

export const channels = ["email", "sms", "push", "whatsapp"] as const;
export type Channel = (typeof channels)[number];

/**
 * Delivery state. Outbound: queued → sending → sent → delivered → opened/clicked/read, or a
 * terminal failed / bounced / undelivered. Inbound messages are `received`. A send with a
 * future `send_at` is `scheduled` until then (→ queued), or `cancelled` if withdrawn before.
 */
export const messageStatuses = [
  "scheduled",
  "queued",
  "sending",
  "sent",
  "delivered",
  "opened",
  "clicked",
  "read",
  "failed",
  "bounced",
  "undelivered",
  "received",
  "cancelled",
] as const;
export type MessageStatus = (typeof messageStatuses)[number];

export const deadLetterKinds = ["message", "communication_event", "call_event", "job", "bus_action"] as const;
export type DeadLetterKind = (typeof deadLetterKinds)[number];

export const webhookDeliveryStatuses = ["pending", "delivering", "succeeded", "failed", "exhausted"] as const;
export type WebhookDeliveryStatus = (typeof webhookDeliveryStatuses)[number];

export const schoolTypes = ["kindergarten", "primary", "secondary", "high_school", "university", "course"] as const;
export type SchoolType = (typeof schoolTypes)[number];

/** Media: pending (waiting for its bytes: a presigned upload or an inbound download), ready (stored), failed (never arrived). */
export const mediaStatuses = ["pending", "ready", "failed"] as const;
export type MediaStatus = (typeof mediaStatuses)[number];
export const mediaSources = ["upload", "presigned", "inbound"] as const;
export type MediaSource = (typeof mediaSources)[number];
export const mediaBackends = ["s3", "filesystem"] as const;
export type MediaBackend = (typeof mediaBackends)[number];

// Events and reminders (db/schema/reminders.ts)
export const eventStatuses = ["scheduled", "moved", "cancelled"] as const;
export type EventStatus = (typeof eventStatuses)[number];

export const audienceKinds = ["list", "segment", "contacts"] as const;
export type AudienceKind = (typeof audienceKinds)[number];

export const channelPolicies = ["all", "first_available"] as const;
export type ChannelPolicy = (typeof channelPolicies)[number];

export const rulePurposes = ["reminder", "cancellation_notice"] as const;
export type RulePurpose = (typeof rulePurposes)[number];

export const ruleStatuses = ["active", "cancelled"] as const;
export type RuleStatus = (typeof ruleStatuses)[number];

/**
 * scheduled: waiting for its instant. running: fanning out. completed: every planned send is
 * resolved (queued as a message, skipped or cancelled). cancelled: stopped before the end.
 * failed: the firing gave up (its remaining sends are marked errored).
 */
export const reminderRunStatuses = ["scheduled", "running", "completed", "cancelled", "failed"] as const;
export type ReminderRunStatus = (typeof reminderRunStatuses)[number];

/**
 * planned: waiting for its run. queued: its message was accepted (message_id). skipped: not sent,
 * for `reason`. cancelled: withdrawn (event cancelled or moved past it, contact removed, run
 * cancelled). failed: the firing itself gave up on it.
 */
export const reminderSendStatuses = ["planned", "queued", "skipped", "cancelled", "failed"] as const;
export type ReminderSendStatus = (typeof reminderSendStatuses)[number];
