// Infobip: settings, secret fields, form fields, limits and routing.
import { z } from "zod";
import { httpUrlSchema, senderIdSchema } from "@/lib/validations/provider-fields";
import { defineProvider } from "../definition";

export const infobipDefinition = defineProvider({
  kind: "infobip",
  label: "Infobip",
  channel: "sms",
  settings: {
    base_url: httpUrlSchema,
    sender: senderIdSchema,
    otp_via_2fa: z.boolean(),
  },
  fields: {
    base_url: { label: "Base URL", kind: "url", placeholder: "https://xxxxx.api.infobip.com", description: "Your account's API base URL" },
    sender: { label: "Sender", kind: "text", placeholder: "InfoSMS" },
    otp_via_2fa: {
      label: "OTP through Infobip 2FA",
      kind: "boolean",
      description: "Infobip generates and verifies one-time codes (Herald keeps the 2FA application and template)",
    },
  },
  defaults: { otp_via_2fa: false },
  credentials: { api_key_ref: { label: "API key" } },
  derived: ["dlr_callback_url"],
  limits: { concurrency: 32, ratePerSecond: null },
  postsWebhooks: true,
  apiBaseUrl: "https://api.infobip.com",
  accountBaseUrl: (s) => (typeof s.base_url === "string" ? s.base_url.replace(/\/+$/, "") : undefined),
  routing: { order: 2, describe: "Infobip" },
});
