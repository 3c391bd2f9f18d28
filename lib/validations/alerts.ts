import { z } from "zod";
import { webhookUrlSchema } from "./outbound-webhooks";

/** PUT /api/v1/alerts/slack: the tenant's Slack incoming-webhook URL (write-only). */
export const putSlackWebhookBody = z.object({ webhook_url: webhookUrlSchema });
export type PutSlackWebhookBody = z.infer<typeof putSlackWebhookBody>;

/** What a tenant sees of its alert settings: never the URL, only its host and delivery status. */
export const slackAlertSettingsOut = z.object({
  configured: z.boolean(),
  webhook_host: z.string().nullable(),
  deployment_channel: z.boolean(),
  updated_at: z.string().nullable(),
  last_delivered_at: z.string().nullable(),
  last_error: z.string().nullable(),
  last_error_at: z.string().nullable(),
});
export type SlackAlertSettingsOut = z.infer<typeof slackAlertSettingsOut>;

export const slackTestOut = z.object({
  delivered: z.boolean(),
  status: z.number().nullable(),
  error: z.string().nullable(),
});
export type SlackTestOut = z.infer<typeof slackTestOut>;
