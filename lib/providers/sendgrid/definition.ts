// SendGrid: settings, secret fields, form fields, limits and routing.
import { z } from "zod";
import { emailSchema, nameSchema } from "@/lib/validations/provider-fields";
import { defineProvider } from "../definition";

export const sendgridDefinition = defineProvider({
  kind: "sendgrid",
  label: "SendGrid",
  channel: "email",
  settings: {
    from_email: emailSchema,
    from_name: nameSchema,
    reply_to_email: emailSchema.nullable(),
    enable_open_tracking: z.boolean(),
    enable_click_tracking: z.boolean(),
    enable_unsubscribe_tracking: z.boolean(),
    ip_pool_name: z.string().trim().min(2).max(64).regex(/^[A-Za-z0-9._-]+$/, "Letters, digits, . _ - only").nullable(),
    sandbox_mode: z.boolean(),
  },
  fields: {
    from_email: { label: "From email", kind: "email", placeholder: "noreply@example.com" },
    from_name: { label: "From name", kind: "text", placeholder: "Example School" },
    reply_to_email: { label: "Reply-to email", kind: "email", optional: true },
    enable_open_tracking: { label: "Open tracking", kind: "boolean" },
    enable_click_tracking: { label: "Click tracking", kind: "boolean" },
    enable_unsubscribe_tracking: { label: "Unsubscribe tracking", kind: "boolean" },
    ip_pool_name: { label: "IP pool name", kind: "text", optional: true },
    sandbox_mode: { label: "Sandbox mode", kind: "boolean", description: "SendGrid validates but does not deliver" },
  },
  defaults: {
    reply_to_email: null,
    enable_open_tracking: true,
    enable_click_tracking: true,
    enable_unsubscribe_tracking: false,
    ip_pool_name: null,
    sandbox_mode: false,
  },
  credentials: {
    api_key_ref: { label: "API key" },
    webhook_signing_key_ref: {
      label: "Event Webhook verification key",
      description: "The public key SendGrid shows for the signed Event Webhook, once you have pasted Herald's webhook URL there. Until it is set, events are refused (and listed under Webhooks → Rejected).",
      multiline: true,
      // Known only after the webhook URL is pasted at SendGrid, which needs the config to exist.
      optional: true,
    },
  },
  derived: [],
  limits: { concurrency: 64, ratePerSecond: null },
  postsWebhooks: true,
  apiBaseUrl: "https://api.sendgrid.com",
  // Mail Send limitations: the whole message, attachments included, under 30 MB.
  media: { maxMessageBytes: 30_000_000 },
  routing: { order: 0, describe: "SendGrid configs" },
});
