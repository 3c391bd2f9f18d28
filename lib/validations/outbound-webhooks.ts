import { z } from "zod";
import { webhookDeliveryStatuses } from "@/db/schema/enum-values";

/**
 * The events Herald delivers to tenants' endpoints. Every body is
 * `{ "type": <event type>, "timestamp": <ISO 8601>, "data": { "message_id", … } }`.
 */
export const outboundEventCatalog = {
  "communication.sent.v1": "A provider accepted the message (the terminal state of Herald's delivery)",
  "communication.failed.v1": "Herald gave up on the message: every route failed or the request was invalid",
  "communication.cancelled.v1": "A scheduled message was cancelled before its send_at",
  "message.delivered.v1": "The provider reports the message delivered to the recipient",
  "message.bounced.v1": "The email bounced (hard, soft or block)",
  "message.failed.v1": "The provider reports the message failed or undelivered after accepting it",
  "message.opened.v1": "The recipient opened the email (every open)",
  "message.clicked.v1": "The recipient clicked a link (every click)",
  "message.read.v1": "The recipient read the WhatsApp message (first read)",
  "message.complained.v1": "The recipient reported the email as spam (the address is now suppressed)",
  "message.unsubscribed.v1": "The recipient unsubscribed (the address is now suppressed)",
  "message.received.v1": "An inbound SMS or WhatsApp message arrived",
  "contact.erased.v1": "A contact was erased (GDPR): delete it in systems that mirror Herald's contacts",
} as const;

export type OutboundEventType = keyof typeof outboundEventCatalog;
export const outboundEventTypes = Object.keys(outboundEventCatalog) as OutboundEventType[];
export const outboundEventTypeSchema = z.enum(outboundEventTypes as [OutboundEventType, ...OutboundEventType[]]);

export const webhookUrlSchema = z
  .string()
  .trim()
  .min(1, "URL is required")
  .max(2000)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === "https:" || u.protocol === "http:") && !!u.hostname && !u.username && !u.password;
    } catch {
      return false;
    }
  }, "Use an http(s) URL without credentials");

const eventTypesSchema = z
  .array(outboundEventTypeSchema)
  .min(1, "Pick at least one event type")
  .max(outboundEventTypes.length)
  .transform((v) => [...new Set(v)]);

export const createWebhookEndpointBody = z.object({
  url: webhookUrlSchema,
  description: z.string().trim().max(500).default(""),
  event_types: eventTypesSchema,
});
export type CreateWebhookEndpointBody = z.output<typeof createWebhookEndpointBody>;

export const patchWebhookEndpointBody = z
  .object({
    url: webhookUrlSchema.optional(),
    description: z.string().trim().max(500).optional(),
    event_types: eventTypesSchema.optional(),
    /** Disabling keeps the endpoint and its log; enabling clears the reason and the failure clock. */
    status: z.enum(["enabled", "disabled"]).optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), "Give at least one field to change");
export type PatchWebhookEndpointBody = z.output<typeof patchWebhookEndpointBody>;

export const rotateSecretBody = z.object({
  /** How long the old secret keeps signing next to the new one; 0 revokes it at once. */
  overlap_hours: z.number().int().min(0).max(24 * 7).default(24),
});

export const listDeliveriesQuery = z.object({
  status: z.enum(webhookDeliveryStatuses).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.string().uuid().optional(),
});
export type ListDeliveriesQuery = z.output<typeof listDeliveriesQuery>;

export const webhookEndpointOut = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string(),
  event_types: z.array(z.string()),
  status: z.enum(["enabled", "disabled"]),
  disabled_reason: z.string().nullable(),
  disabled_at: z.string().nullable(),
  secret_rotated_at: z.string().nullable(),
  /** While set, deliveries carry a second signature made with the previous secret. */
  previous_secret_expires_at: z.string().nullable(),
  failing_since: z.string().nullable(),
  last_success_at: z.string().nullable(),
  created_by: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type WebhookEndpointOut = z.output<typeof webhookEndpointOut>;

/** Creation and rotation answer the endpoint plus the secret, this once. */
export const webhookEndpointWithSecretOut = webhookEndpointOut.extend({ secret: z.string().startsWith("whsec_") });

export const webhookAttemptOut = z.object({
  attempt: z.number(),
  response_code: z.number().nullable(),
  response_body: z.string().nullable(),
  latency_ms: z.number().nullable(),
  error: z.string().nullable(),
  outcome: z.enum(["succeeded", "failed"]),
  started_at: z.string(),
});

export const webhookDeliveryOut = z.object({
  id: z.string(),
  endpoint_id: z.string(),
  event_id: z.string(),
  event_type: z.string(),
  status: z.enum(webhookDeliveryStatuses),
  attempt_count: z.number(),
  next_attempt_at: z.string().nullable(),
  last_attempt_at: z.string().nullable(),
  last_response_code: z.number().nullable(),
  last_response_body: z.string().nullable(),
  last_latency_ms: z.number().nullable(),
  last_error: z.string().nullable(),
  succeeded_at: z.string().nullable(),
  created_at: z.string(),
  payload: z.record(z.string(), z.unknown()),
  attempts: z.array(webhookAttemptOut),
});
export type WebhookDeliveryOut = z.output<typeof webhookDeliveryOut>;
