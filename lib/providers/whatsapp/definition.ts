// WhatsApp Business Cloud: settings, secret fields, form fields, limits and routing.
import { z } from "zod";
import { languageTagSchema, nameSchema } from "@/lib/validations/provider-fields";
import { defineProvider } from "../definition";
import { WHATSAPP_MEDIA_KINDS } from "./media-kinds";

export const whatsappDefinition = defineProvider({
  kind: "whatsapp",
  label: "WhatsApp Business Cloud",
  channel: "whatsapp",
  settings: {
    phone_number_id: z.string().trim().regex(/^\d{5,20}$/, "The phone number id is digits"),
    business_account_id: z.string().trim().regex(/^\d{5,20}$/, "The business account id is digits"),
    display_phone_number: z
      .string()
      .trim()
      .transform((v) => v.replace(/[\s().-]/g, ""))
      .pipe(z.string().regex(/^\+?[1-9]\d{6,14}$/, "Use the number in international format (e.g. +15551234567)")),
    business_name: nameSchema,
    default_language_code: languageTagSchema,
  },
  fields: {
    phone_number_id: { label: "Phone number ID", kind: "text" },
    business_account_id: { label: "Business account ID", kind: "text" },
    display_phone_number: { label: "Display phone number", kind: "text", placeholder: "+15551234567" },
    business_name: { label: "Business name", kind: "text" },
    default_language_code: { label: "Default language (BCP 47)", kind: "text", placeholder: "en-US" },
  },
  defaults: { default_language_code: "en-US" },
  credentials: {
    access_token_ref: { label: "Access token" },
    app_secret_ref: { label: "App secret" },
    webhook_verify_token_ref: { label: "Webhook verify token" },
  },
  derived: [],
  limits: { concurrency: 32, ratePerSecond: null },
  postsWebhooks: true,
  apiBaseUrl: "https://graph.facebook.com",
  media: { kinds: WHATSAPP_MEDIA_KINDS },
  routing: { order: 0, describe: "The tenant's WhatsApp configs" },
});
