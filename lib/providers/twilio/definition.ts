// Twilio: settings, secret fields, form fields, limits and routing.
import { z } from "zod";
import { countryCodeSchema, e164Schema } from "@/lib/validations/provider-fields";
import { defineProvider } from "../definition";

export const twilioDefinition = defineProvider({
  kind: "twilio",
  label: "Twilio",
  channel: "sms",
  settings: {
    messaging_service_sid: z
      .string()
      .trim()
      .regex(/^MG[0-9a-fA-F]{32}$/, "A Messaging Service SID is MG followed by 32 hex characters")
      .nullable(),
    from_number: e164Schema,
    supported_countries: z.array(countryCodeSchema).max(250).refine((a) => new Set(a).size === a.length, "Countries repeat"),
  },
  fields: {
    messaging_service_sid: { label: "Messaging Service SID", kind: "text", optional: true, placeholder: "MG…" },
    from_number: { label: "From number", kind: "text", placeholder: "+15005550006" },
    supported_countries: {
      label: "Supported countries",
      kind: "list",
      description: "ISO 3166 alpha-2 codes, comma-separated; empty means any",
      placeholder: "SE, NO, US",
    },
  },
  defaults: { messaging_service_sid: null, supported_countries: [] },
  credentials: { account_sid_ref: { label: "Account SID" }, auth_token_ref: { label: "Auth token" } },
  derived: ["status_callback_url"],
  limits: { concurrency: 32, ratePerSecond: null },
  postsWebhooks: true,
  apiBaseUrl: "https://api.twilio.com",
  validateCredential: (field, value) =>
    field === "account_sid_ref" && !/^AC[0-9a-fA-F]{32}$/.test(value) ? "A Twilio account SID is AC followed by 32 hex characters" : null,
  routing: {
    order: 1,
    describe: "Twilio configs whose supported countries include the number's country (empty = any)",
    followsClaims: true,
    cannotServe: (s, a) => {
      const countries = (s.supported_countries ?? []) as string[];
      if (countries.length > 0 && !(a.country && countries.includes(a.country))) return `${a.country ?? "this country"} is not in its supported countries`;
      return null;
    },
  },
});
