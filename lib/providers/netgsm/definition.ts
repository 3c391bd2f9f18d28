// Netgsm (Turkey): settings, secret fields, form fields, limits and routing.
import { z } from "zod";
import { defineProvider } from "../definition";

/** Netgsm's `iysfilter`: 0 = informational (no IYS check), 11 = commercial to individuals, 12 = commercial to traders. */
export const netgsmIysFilters = ["0", "11", "12"] as const;

export const netgsmDefinition = defineProvider({
  kind: "netgsm",
  label: "Netgsm",
  channel: "sms",
  settings: {
    msgheader: z
      .string()
      .trim()
      .min(3, "At least 3 characters")
      .max(11, "At most 11 characters"),
    iys_filter: z.enum(netgsmIysFilters, { message: "Choose 0, 11 or 12" }),
    partner_code: z.string().trim().max(64, "At most 64 characters").nullable(),
  },
  fields: {
    msgheader: { label: "Sender header (msgheader)", kind: "text", description: "A header defined on the Netgsm account", placeholder: "e.g. HERALD" },
    iys_filter: {
      label: "IYS filter",
      kind: "select",
      options: netgsmIysFilters,
      description: "0 informational (no IYS check), 11 commercial to individuals, 12 commercial to traders",
    },
    partner_code: { label: "Partner code", kind: "text", optional: true, placeholder: "e.g. 12345" },
  },
  defaults: { iys_filter: "0", partner_code: null },
  credentials: { usercode_ref: { label: "User code" }, password_ref: { label: "API password" } },
  // Netgsm posts nothing back: delivery status comes from polling its report API (poll-reports.ts,
  // run once a minute by the poll-delivery-reports workflow (through this module's `pollReports`), at most 10 queries a minute per account).
  derived: [],
  limits: { concurrency: 16, ratePerSecond: null },
  postsWebhooks: false,
  apiBaseUrl: "https://api.netgsm.com.tr",
  routing: {
    // Only ordering among claiming providers: it claims +90 numbers, which no other provider claims.
    order: 3,
    describe: "Netgsm",
    // Netgsm only reaches Turkish numbers; an active config claims every +90 number.
    claims: (_s, a) => a.callingCode === "+90",
    describeClaim: "+90 numbers when the tenant has a Netgsm config",
    cannotServe: (_s, a) => (a.callingCode === "+90" ? null : "Netgsm sends to Turkish (+90) numbers only"),
  },
});
