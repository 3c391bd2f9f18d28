// Event-bus ingress: tenants' bindings (API bodies and answers) and the action envelope Herald consumes.
import { z } from "zod";
import { boundedJsonObject, isoDateTime, safeText } from "./common";
import { channelSchema } from "./messages";
import { languageTagSchema } from "./provider-fields";
import { templateDataSchema } from "./templates";

// ---------------------------------------------------------------------------------------------
// Bindings

/** At most this many bindings per tenant (each is a queue and a consumer in every worker). */
export const MAX_BUS_BINDINGS = 20;

/** A binding key: it names the tenant's queue and routing key suffix, so only characters safe in both. */
export const busBindingKeySchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9_-]{1,62}$/, "2–63 lower-case letters, digits, _ or -, starting with a letter or digit (e.g. acme-prod)");

export const createBusBindingBody = z.strictObject({
  key: busBindingKeySchema,
  description: safeText().trim().max(500, "At most 500 characters").default(""),
  enabled: z.boolean().default(true),
});
export type CreateBusBindingBody = z.infer<typeof createBusBindingBody>;

export const patchBusBindingBody = z
  .strictObject({
    description: safeText().trim().max(500, "At most 500 characters").optional(),
    enabled: z.boolean().optional(),
  })
  .refine((v) => v.description !== undefined || v.enabled !== undefined, "Give description and/or enabled");
export type PatchBusBindingBody = z.infer<typeof patchBusBindingBody>;

export const busBindingOut = z.object({
  id: z.string(),
  key: z.string(),
  description: z.string(),
  enabled: z.boolean(),
  /** Where the Action service publishes for this tenant. */
  exchange: z.string(),
  routing_key: z.string(),
  /** The durable queue Herald consumes for this tenant. */
  queue: z.string(),
  dead_letter_queue: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type BusBindingOut = z.infer<typeof busBindingOut>;

export const busBindingListOut = z.object({
  data: z.array(busBindingOut),
  /** This deployment's consumer, as /api/health reports it. */
  consumer: z.object({ status: z.enum(["ok", "down", "off"]), consumers: z.number(), error: z.string().optional() }),
});
export type BusBindingListOut = z.infer<typeof busBindingListOut>;

// ---------------------------------------------------------------------------------------------
// The action envelope (the catalogue's action.execute.requested.v1)

export const ACTION_EVENT = "action.execute.requested.v1";

/** An address for the channel, or a reference to one of the tenant's contacts. */
const recipientSchema = z.union([
  z.string().trim().min(1, "recipient is an address or a contact reference").max(320),
  z.strictObject({ contact_id: z.uuid("contact_id is a contact id (UUID)") }),
  z.strictObject({ external_id: z.string().trim().min(1).max(255) }),
]);

export const actionEnvelopeSchema = z.object({
  event: z.literal(ACTION_EVENT),
  meta: z
    .object({
      trace_id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "trace_id is 8–64 letters, digits, _ or -").optional(),
      producer_service: z.string().max(200).optional(),
      produced_at: isoDateTime().optional(),
    })
    .loose()
    .default({}),
  /** Passed through untouched onto the message and its communication.* event. */
  context: boundedJsonObject({ label: "The context", maxBytes: 16_384 }).optional(),
  data: z
    .object({
      action_id: z.string().trim().min(1, "action_id is required").max(200, "At most 200 characters"),
      channel: channelSchema,
      recipient: recipientSchema,
      /** A Herald template key; with template_kind "provider", a provider template (email template id, WhatsApp template name). */
      template_id: z.string().trim().min(1, "template_id is required").max(512),
      template_kind: z.enum(["herald", "provider"]).default("herald"),
      template_data: templateDataSchema.optional(),
      /** WhatsApp provider templates: the body parameters in order. */
      template_parameters: z.array(z.string().min(1).max(1024)).max(100).optional(),
      locale: languageTagSchema.optional(),
      subscription_topic: z.string().trim().max(64).optional(),
    })
    .loose(),
});
export type ActionEnvelope = z.infer<typeof actionEnvelopeSchema>;
