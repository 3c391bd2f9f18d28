// 46elks: settings, secret fields, form fields, limits and routing.
import { z } from "zod";
import { senderIdSchema } from "@/lib/validations/provider-fields";
import { defineProvider } from "../definition";

export const elksDefinition = defineProvider({
  kind: "elks",
  label: "46elks",
  channel: "sms",
  settings: {
    sender_id: senderIdSchema,
    default_country_code: z
      .string()
      .trim()
      .regex(/^\+[1-9]\d{0,3}$/, "Use + and the country calling code (e.g. +46)"),
  },
  fields: {
    sender_id: {
      label: "Sender ID",
      kind: "text",
      description: "At most 11 letters/digits, or an E.164 number",
      placeholder: "Herald",
    },
    default_country_code: { label: "Default country code", kind: "text", placeholder: "+46" },
  },
  defaults: { default_country_code: "+46" },
  credentials: { api_username_ref: { label: "API username" }, api_password_ref: { label: "API password" } },
  derived: ["dlr_callback_url"],
  limits: { concurrency: 32, ratePerSecond: null },
  postsWebhooks: true,
  apiBaseUrl: "https://api.46elks.com",
  routing: {
    order: 0,
    describe: "46elks",
    // A 46elks config takes the numbers in its default country code.
    claims: (s, a) => a.number !== undefined && typeof s.default_country_code === "string" && a.number.startsWith(s.default_country_code),
    describeClaim: "Numbers in a 46elks config's default country code (+46 by default)",
  },
});
