// Routing rule schemas: API bodies, the UI editor and the tests.
import { z } from "zod";
import { providerKinds } from "@/db/schema/enum-values";
import { channelSchema, pushPlatforms } from "./messages";
import { countryCodeSchema } from "./provider-fields";

const uniq = <T>(a: T[]) => new Set(a).size === a.length;

export const routingMatchSchema = z
  .strictObject({
    country_codes: z.array(countryCodeSchema).min(1).max(250).refine(uniq, "Countries repeat").optional(),
    number_prefixes: z
      .array(z.string().trim().regex(/^\+[1-9]\d{0,14}$/, "A prefix is + and digits (e.g. +46 or +4670)"))
      .min(1)
      .max(100)
      .refine(uniq, "Prefixes repeat")
      .optional(),
    email_domains: z
      .array(
        z
          .string()
          .trim()
          .toLowerCase()
          .regex(/^(\*\.)?([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/, "A domain (example.com) or *.example.com"),
      )
      .min(1)
      .max(100)
      .refine(uniq, "Domains repeat")
      .optional(),
    platforms: z.array(z.enum(pushPlatforms)).min(1).refine(uniq, "Platforms repeat").optional(),
  })
  .default({});

const ruleFields = {
  channel: channelSchema,
  name: z.string().trim().min(1, "A name is required").max(100, "At most 100 characters"),
  match: routingMatchSchema,
  chain: z
    .array(z.string().uuid("A provider config id"))
    .min(1, "A chain names at least one provider config")
    .max(10, "At most 10 configs in a chain")
    .refine(uniq, "A config appears twice in the chain"),
  enabled: z.boolean().default(true),
  /** 0-based place among the channel's rules; omitted = last. */
  position: z.number().int().min(0).max(1000).optional(),
};

/** Which match kinds make sense for which channel (checked on create and update). */
export const matchKindsByChannel = {
  email: ["email_domains"],
  sms: ["country_codes", "number_prefixes"],
  whatsapp: ["country_codes", "number_prefixes"],
  push: ["platforms"],
} as const;

export const createRoutingRuleBody = z.strictObject(ruleFields);
export type CreateRoutingRuleInput = z.infer<typeof createRoutingRuleBody>;

export const patchRoutingRuleBody = z
  .strictObject({
    name: ruleFields.name.optional(),
    match: routingMatchSchema.optional(),
    chain: ruleFields.chain.optional(),
    enabled: z.boolean().optional(),
    position: ruleFields.position,
  })
  .refine((v) => Object.keys(v).length > 0, "Send at least one field to change");
export type PatchRoutingRuleInput = z.infer<typeof patchRoutingRuleBody>;

export const listRoutingRulesQuery = z.object({ channel: channelSchema.optional() });

export const routePreviewBody = z.strictObject({
  channel: channelSchema,
  /** Email address, E.164 number, device token / player id, or `topic:<name>`. */
  to: z.string().trim().min(1).max(4096),
  /** Push only: the target's platform. */
  platform: z.enum(pushPlatforms).optional(),
});
export type RoutePreviewInput = z.infer<typeof routePreviewBody>;

const hopOut = z.object({
  config_id: z.string(),
  provider: z.enum(providerKinds),
  display_name: z.string(),
  status: z.string(),
});

export const routingRuleOut = z.object({
  id: z.string(),
  channel: channelSchema,
  position: z.number(),
  name: z.string(),
  match: z.record(z.string(), z.array(z.string())),
  chain: z.array(hopOut),
  enabled: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type RoutingRuleOut = z.infer<typeof routingRuleOut>;

export const routePreviewOut = z.object({
  channel: channelSchema,
  to: z.string(),
  /** `rule`: a tenant rule matched; `default`: the tenant has no rules for the channel. */
  source: z.enum(["rule", "default", "none"]),
  rule: z.object({ id: z.string(), name: z.string() }).nullable(),
  /** What Herald read from the recipient (country, prefix, domain, platform). */
  recipient: z.record(z.string(), z.string().nullable()),
  chain: z.array(hopOut.pick({ config_id: true, provider: true, display_name: true })),
  /** Configs a matching rule names that are not active now, so they are skipped. */
  skipped: z.array(hopOut),
  explanation: z.string(),
});
export type RoutePreviewOut = z.infer<typeof routePreviewOut>;

export const defaultRoutesOut = z.object({
  channel: channelSchema,
  description: z.string(),
});
