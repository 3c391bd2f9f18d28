// Contact schemas: body, query and response, shared by the API, the import, the forms and the tests.
import { z } from "zod";
import { contactSchoolRoles, subscriptionChannels, subscriptionStatuses } from "@/db/schema/contacts";
import { limitQuery } from "./common";
import { pushPlatforms } from "./messages";

/** Attribute documents are bounded so a contact row stays small and segment paths stay simple. */
export const ATTRIBUTES_MAX_BYTES = 16 * 1024;
export const ATTRIBUTES_MAX_DEPTH = 5;
export const ATTRIBUTES_MAX_KEYS = 100;
/** Top-level attribute names: what segments and search name as `attributes.<key>`. */
export const ATTRIBUTE_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
export const PUSH_TARGETS_MAX = 20;

/** Empty strings from forms and CSV cells mean "no value". */
const blankToNull = (v: unknown) => (typeof v === "string" && v.trim() === "" ? null : v);
const optionalText = (max: number) => z.preprocess(blankToNull, z.string().trim().max(max, `At most ${max} characters`).nullable().optional());

function depthOf(value: unknown): number {
  if (value === null || typeof value !== "object") return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  let max = 0;
  for (const c of children) max = Math.max(max, depthOf(c));
  return max + 1;
}

export const attributesSchema = z
  .record(z.string(), z.unknown(), "Attributes are a JSON object")
  .superRefine((v, ctx) => {
    const keys = Object.keys(v);
    if (keys.length > ATTRIBUTES_MAX_KEYS) ctx.addIssue({ code: "custom", message: `At most ${ATTRIBUTES_MAX_KEYS} attributes` });
    for (const k of keys) {
      if (!ATTRIBUTE_KEY_PATTERN.test(k)) ctx.addIssue({ code: "custom", path: [k], message: "Attribute names are letters, digits and _ (at most 64, not starting with a digit)" });
    }
    if (depthOf(v) > ATTRIBUTES_MAX_DEPTH) ctx.addIssue({ code: "custom", message: `Attributes nest at most ${ATTRIBUTES_MAX_DEPTH} levels deep` });
    if (Buffer.byteLength(JSON.stringify(v)) > ATTRIBUTES_MAX_BYTES) ctx.addIssue({ code: "custom", message: `Attributes are at most ${ATTRIBUTES_MAX_BYTES / 1024} KiB of JSON` });
  });

/** BCP 47, returned in canonical case (sv-se → sv-SE). */
export const localeSchema = z
  .string()
  .trim()
  .max(35)
  .transform((value, ctx) => {
    try {
      const [canonical] = Intl.getCanonicalLocales(value.replace(/_/g, "-"));
      if (canonical) return canonical;
    } catch {
      // reported below
    }
    ctx.addIssue({ code: "custom", message: "Use a BCP 47 language tag (e.g. sv-SE)" });
    return z.NEVER;
  });

/** An IANA zone name, returned as the runtime spells it (europe/stockholm → Europe/Stockholm). */
export const timezoneSchema = z
  .string()
  .trim()
  .max(64)
  .transform((value, ctx) => {
    const zone = canonicalTimeZone(value);
    if (zone) return zone;
    ctx.addIssue({ code: "custom", message: "Use an IANA time zone (e.g. Europe/Stockholm)" });
    return z.NEVER;
  });

// Building a DateTimeFormat costs ~0.1–0.6 ms and imports repeat a handful of zones: remember
// answers, bounded (cleared when full) so outside input can't grow it.
const zoneCache = new Map<string, string | null>();
function canonicalTimeZone(value: string): string | null {
  const hit = zoneCache.get(value);
  if (hit !== undefined) return hit;
  let zone: string | null = null;
  try {
    if (/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(value) || value === "UTC") zone = new Intl.DateTimeFormat("en", { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    zone = null;
  }
  if (zoneCache.size >= 1000) zoneCache.clear();
  zoneCache.set(value, zone);
  return zone;
}

/** Phone numbers as given; lib/contacts normalises them to E.164 with the tenant's default country. */
const phoneInput = z.preprocess(
  blankToNull,
  z.string().trim().max(40, "At most 40 characters").regex(/^\+?[0-9 ()./-]{3,40}$/, "Use digits, spaces and + ( ) - . /").nullable().optional(),
);

export const externalIdSchema = z.string().trim().min(1, "external_id is 1–255 characters").max(255, "external_id is at most 255 characters");

export const pushTargetInput = z.strictObject({
  token: z.string().trim().min(1).max(4096),
  platform: z.enum(pushPlatforms, "The platform is ios, android or web"),
  provider: z.enum(["fcm", "onesignal"], "The provider is fcm or onesignal").default("fcm"),
});

export const subscriptionChannelSchema = z.enum(subscriptionChannels, "channel is one of email, sms, push, whatsapp");
export const subscriptionTopicSchema = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, "A topic is lower-case letters, digits and _ . - (e.g. reminders)");

export const subscriptionInput = z.strictObject({
  channel: subscriptionChannelSchema,
  topic: subscriptionTopicSchema.nullable().optional(),
  status: z.enum(subscriptionStatuses, "status is subscribed or unsubscribed"),
});
export type SubscriptionInput = z.output<typeof subscriptionInput>;

export const contactSchoolRoleSchema = z.enum(contactSchoolRoles, "role is parent, owner, staff or player");
export const relationshipInput = z.strictObject({
  school_id: z.string().uuid("school_id is a school id (UUID)"),
  role: contactSchoolRoleSchema,
});

const contactFields = {
  external_id: z.preprocess(blankToNull, externalIdSchema.nullable().optional()),
  kind: z.literal("person", "kind is person").optional(),
  name: optionalText(200),
  email: z.preprocess(blankToNull, z.string().trim().toLowerCase().max(320).email("Not a valid email address").nullable().optional()),
  phone: phoneInput,
  /** Defaults to the phone number. */
  whatsapp: phoneInput,
  locale: z.preprocess(blankToNull, localeSchema.nullable().optional()),
  timezone: z.preprocess(blankToNull, timezoneSchema.nullable().optional()),
  attributes: attributesSchema.optional(),
  /** Replaces the contact's push targets (device tokens are shared with push hygiene). */
  push_targets: z.array(pushTargetInput).max(PUSH_TARGETS_MAX, `At most ${PUSH_TARGETS_MAX} push targets`).optional(),
  /** Upserted subscription states (others are kept). */
  subscriptions: z.array(subscriptionInput).max(100).optional(),
  /** Replaces the contact's school relationships. */
  schools: z.array(relationshipInput).max(100).optional(),
};

/** POST /api/v1/contacts, each import row, and the create form. */
export const createContactBody = z.strictObject(contactFields);
export type CreateContactBody = z.output<typeof createContactBody>;
export type ContactFormInput = z.input<typeof createContactBody>;

/** PATCH: any subset; null clears a field. */
export const updateContactBody = z.strictObject(contactFields).partial();
export type UpdateContactBody = z.output<typeof updateContactBody>;

export const contactSearchQuery = z.object({
  /** Substring of name, email, phone or external id (case-insensitive). */
  q: z.string().trim().max(200).optional(),
  /** `key:value` — an attribute equal to a value (numbers and true/false compare as JSON). */
  attribute: z
    .string()
    .trim()
    .max(300)
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}:.*$/, "Use attribute=key:value (e.g. attribute=team:u12)")
    .optional(),
  list_id: z.string().uuid().optional(),
  school_id: z.string().uuid().optional(),
  role: contactSchoolRoleSchema.optional(),
  /** Contacts unsubscribed from this channel (whole channel). */
  unsubscribed: subscriptionChannelSchema.optional(),
  /** next_cursor of the previous page. */
  cursor: z.string().uuid("cursor is a next_cursor value").optional(),
  limit: limitQuery,
});
export type ContactSearchQuery = z.output<typeof contactSearchQuery>;

// ---------------------------------------------------------------------------------------------
// Responses

const iso = z.string();
export const subscriptionOut = z.object({
  channel: subscriptionChannelSchema,
  topic: z.string().nullable(),
  status: z.enum(subscriptionStatuses),
  source: z.string(),
  changed_at: iso,
});
export type SubscriptionOut = z.infer<typeof subscriptionOut>;

export const contactOut = z.object({
  id: z.string(),
  external_id: z.string().nullable(),
  kind: z.literal("person"),
  name: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  phone_raw: z.string().nullable(),
  whatsapp: z.string().nullable(),
  locale: z.string().nullable(),
  timezone: z.string().nullable(),
  attributes: z.record(z.string(), z.unknown()),
  created_at: iso,
  updated_at: iso,
});
export type ContactOut = z.infer<typeof contactOut>;

export const contactDetailOut = contactOut.extend({
  push_targets: z.array(z.object({ token: z.string(), platform: z.string().nullable(), provider: z.string().nullable(), active: z.boolean(), reason: z.string().nullable() })),
  subscriptions: z.array(subscriptionOut),
  schools: z.array(z.object({ school_id: z.string(), school_name: z.string(), role: contactSchoolRoleSchema })),
});
export type ContactDetailOut = z.infer<typeof contactDetailOut>;

export const contactListOut = z.object({ data: z.array(contactOut), next_cursor: z.string().nullable() });
export type ContactListOut = z.infer<typeof contactListOut>;

export const contactImportResultOut = z.object({
  total_rows: z.number(),
  created: z.number(),
  updated: z.number(),
  failed: z.number(),
  errors: z.array(z.object({ line: z.number(), field: z.string().optional(), message: z.string() })),
  errors_truncated: z.boolean(),
});
export type ContactImportResult = z.infer<typeof contactImportResultOut>;
