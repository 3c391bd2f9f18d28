// Mailgun: settings, secret fields, form fields, limits and routing.
import { z } from "zod";
import { emailSchema, hostnameSchema, nameSchema } from "@/lib/validations/provider-fields";
import { defineProvider } from "../definition";

export const mailgunDefinition = defineProvider({
  kind: "mailgun",
  label: "Mailgun",
  channel: "email",
  settings: {
    domain: hostnameSchema,
    region: z.enum(["eu", "us"]),
    from_email: emailSchema,
    from_name: nameSchema,
    enable_tracking: z.boolean(),
    enable_click_tracking: z.boolean(),
    test_mode: z.boolean(),
  },
  fields: {
    domain: { label: "Sending domain", kind: "text", placeholder: "mg.example.com" },
    region: { label: "Region", kind: "select", options: ["eu", "us"] },
    from_email: { label: "From email", kind: "email" },
    from_name: { label: "From name", kind: "text" },
    enable_tracking: { label: "Open tracking", kind: "boolean" },
    enable_click_tracking: { label: "Click tracking", kind: "boolean" },
    test_mode: { label: "Test mode", kind: "boolean", description: "Mailgun accepts but does not deliver" },
  },
  defaults: { region: "eu", enable_tracking: true, enable_click_tracking: true, test_mode: false },
  credentials: {
    api_key_ref: { label: "API key" },
    // Optional at creation: Mailgun shows it with the webhook settings, after the URL is pasted.
    webhook_signing_key_ref: { label: "Webhook signing key", description: "Until it is set, Mailgun events are refused (listed under Webhooks → Rejected).", optional: true },
  },
  derived: [],
  limits: { concurrency: 32, ratePerSecond: null },
  postsWebhooks: true,
  apiBaseUrl: "https://api.mailgun.net",
  // Mailgun takes messages up to 25 MB, attachments included.
  media: { maxMessageBytes: 25_000_000 },
  accountBaseUrl: (s) => (s.region === "eu" ? "https://api.eu.mailgun.net" : undefined),
  routing: { order: 1, describe: "Mailgun configs" },
});
