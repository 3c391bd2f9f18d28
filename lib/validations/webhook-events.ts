import { z } from "zod";
import { webhookRefusalReasons } from "@/db/schema/webhooks";
import { limitQuery } from "./common";
import { providerKinds } from "./provider-configs";

export const webhookEventFilterStatuses = ["pending", "processed", "unmatched", "failed", "duplicate"] as const;

export const listWebhookEventsQuery = z.object({
  provider: z.enum(providerKinds).optional(),
  status: z.enum(webhookEventFilterStatuses, "status is pending, processed, unmatched, failed or duplicate").optional(),
  config_id: z.string().uuid().optional(),
  message_id: z.string().uuid().optional(),
  cursor: z.string().optional(),
  limit: limitQuery,
});
export type ListWebhookEventsQuery = z.output<typeof listWebhookEventsQuery>;

export const webhookEventOut = z.object({
  id: z.string(),
  provider: z.enum(providerKinds),
  config_id: z.string().nullable(),
  event_key: z.string(),
  event_type: z.string(),
  provider_event: z.string(),
  verification: z.string(),
  status: z.string(),
  message_id: z.string().nullable(),
  provider_message_id: z.string().nullable(),
  recipient: z.string().nullable(),
  outcome: z.string().nullable(),
  duplicate_count: z.number(),
  last_duplicate_at: z.string().nullable(),
  occurred_at: z.string(),
  received_at: z.string(),
  processed_at: z.string().nullable(),
  payload: z.record(z.string(), z.unknown()),
});
export const webhookEventListOut = z.object({ data: z.array(webhookEventOut), next_cursor: z.string().nullable() });
export type WebhookEventOut = z.output<typeof webhookEventOut>;
export type WebhookEventListOut = z.output<typeof webhookEventListOut>;

export { webhookRefusalReasons };

export const listWebhookRejectedRequestsQuery = z.object({
  provider: z.string().trim().min(1).max(40).optional(),
  config_id: z.string().uuid().optional(),
  reason: z.enum(webhookRefusalReasons, `reason is one of ${webhookRefusalReasons.join(", ")}`).optional(),
  cursor: z.string().optional(),
  limit: limitQuery,
});
export type ListWebhookRejectedRequestsQuery = z.output<typeof listWebhookRejectedRequestsQuery>;

/** A refused request as shown to its tenant: secrets were redacted before it was stored. */
export const webhookRejectedRequestOut = z.object({
  id: z.string(),
  provider: z.string(),
  config_id: z.string().nullable(),
  path_config_id: z.string(),
  reason: z.enum(webhookRefusalReasons),
  detail: z.string(),
  status: z.number(),
  source_address: z.string().nullable(),
  headers: z.record(z.string(), z.string()),
  query: z.string(),
  payload_excerpt: z.string(),
  payload_bytes: z.number().nullable(),
  received_at: z.string(),
});
export const webhookRejectedRequestListOut = z.object({ data: z.array(webhookRejectedRequestOut), next_cursor: z.string().nullable() });
export type WebhookRejectedRequestOut = z.output<typeof webhookRejectedRequestOut>;
export type WebhookRejectedRequestListOut = z.output<typeof webhookRejectedRequestListOut>;
