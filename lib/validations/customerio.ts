// Customer.io integration bodies (config, resync, replay) and outputs: shared by the routes, the
// Integrations page form and the tests.
import { z } from "zod";
import { contactSchoolRoles } from "@/db/schema/contacts";
import { customerioRegions } from "@/db/schema/customerio";
import { providerConfigStatuses } from "@/db/schema/enum-values";
import { credentialInputSchema, credentialOut } from "./provider-configs";
import { httpUrlSchema } from "./provider-fields";

/** Customer.io refuses attribute names over 150 bytes. */
const attributeName = z
  .string()
  .trim()
  .min(1, "Give the attribute name in Customer.io")
  .refine((s) => Buffer.byteLength(s) <= 150, "At most 150 bytes")
  .refine((s) => !/[\u0000-\u001f]/.test(s), "No control characters");

export const personFields = ["name", "phone", "whatsapp", "locale", "timezone"] as const;
export const schoolFields = ["name", "type", "city", "district", "address", "phone", "email", "website", "tags", "is_public"] as const;

export const mappingSchema = z.strictObject({
  /** Contact columns sent, under which attribute names (email and created_at are always sent). */
  person_fields: z.partialRecord(z.enum(personFields), attributeName).default({ name: "name", phone: "phone", locale: "locale", timezone: "timezone" }),
  /** Contact attributes: "all" under their own names, or a map from the Herald key to the Customer.io name. */
  person_attributes: z.union([z.literal("all"), z.record(z.string().min(1).max(150), attributeName)]).default("all"),
  school_fields: z.partialRecord(z.enum(schoolFields), attributeName).default({ name: "name", type: "type", city: "city", district: "district", website: "website", tags: "tags" }),
  /** What identifies a school's object: its slug (readable, stable) or Herald's id. */
  object_id: z.enum(["slug", "id"]).default("slug"),
  /** The school roles whose contacts are related to the school's object (B2B). */
  b2b_roles: z.array(z.enum(contactSchoolRoles)).min(1, "Pick at least one role").default(["owner", "staff"]),
});
export type CustomerioMapping = z.output<typeof mappingSchema>;

export const customerioConfigInput = z.strictObject({
  region: z.enum(customerioRegions).default("us"),
  site_id: credentialInputSchema.optional(),
  api_key: credentialInputSchema.optional(),
  api_base_url: httpUrlSchema.nullable().optional(),
  b2c_enabled: z.boolean().default(false),
  b2b_enabled: z.boolean().default(false),
  object_type_id: z
    .string()
    .trim()
    .regex(/^[0-9]{1,9}$/, "Customer.io object type ids are numbers (e.g. 1)")
    .default("1"),
  mapping: mappingSchema.default(mappingSchema.parse({})),
});
export type CustomerioConfigInput = z.output<typeof customerioConfigInput>;

export const customerioStatusInput = z.strictObject({ status: z.enum(["active", "paused", "decommissioned"]) });

export const customerioResyncInput = z
  .strictObject({ b2c: z.boolean().default(true), b2b: z.boolean().default(true) })
  .refine((v) => v.b2c || v.b2b, "Pick people (B2C), schools (B2B) or both");

export const customerioReplayInput = z.strictObject({
  /** Entity ids to replay; omitted = every failed entity. */
  entity_ids: z.array(z.string().uuid()).max(1000).optional(),
});

export const customerioFailuresQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });

export const customerioConfigOut = z.strictObject({
  id: z.string(),
  status: z.enum(providerConfigStatuses),
  region: z.enum(customerioRegions),
  site_id: credentialOut,
  api_key: credentialOut,
  api_base_url: z.string().nullable(),
  b2c_enabled: z.boolean(),
  b2b_enabled: z.boolean(),
  object_type_id: z.string(),
  mapping: mappingSchema,
  last_error: z.string().nullable(),
  last_tested_at: z.string().nullable(),
  last_synced_at: z.string().nullable(),
  counts: z.strictObject({ synced: z.number(), pending: z.number(), failed: z.number(), skipped: z.number() }),
  resync: z.strictObject({ started_at: z.string(), total: z.number(), done: z.number() }).nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type CustomerioConfigOut = z.infer<typeof customerioConfigOut>;

export const customerioFailureOut = z.strictObject({
  entity: z.enum(["person", "object"]),
  entity_id: z.string(),
  cio_id: z.string().nullable(),
  error: z.string().nullable(),
  attempts: z.number(),
  updated_at: z.string(),
});
