// Template schemas: the content (per locale and channel), the API bodies and answers, preview and sends by template.
import { z } from "zod";
import { channelEnum } from "@/db/schema/messages";
import { templateCategories } from "@/db/schema/templates";
import { languageTagSchema } from "./provider-fields";

/** Liquid sources are bounded so one template cannot hold the whole body limit. */
const channelSchema = z.enum(channelEnum.enumValues, "channel is one of email, sms, push, whatsapp");

const source = (max: number) => z.string().max(max, `At most ${max} characters`);

export const templateKeySchema = z
  .string()
  .trim()
  .min(1, "A key is required")
  .max(100, "At most 100 characters")
  .regex(/^[a-z0-9][a-z0-9_.-]*$/, "Use lower-case letters, digits, and . _ - (e.g. welcome-email)");

export const emailVariantSchema = z
  .strictObject({
    subject: source(998).trim().min(1, "A subject is required"),
    html: source(500_000).optional(),
    text: source(500_000).optional(),
  })
  .refine((v) => Boolean(v.html?.trim()) || Boolean(v.text?.trim()), { message: "Give the HTML or the text body", path: ["html"] });

export const smsVariantSchema = z.strictObject({ body: source(5_000).min(1, "The SMS body is empty") });

export const pushVariantSchema = z
  .strictObject({
    title: source(1_000).optional(),
    body: source(8_000).optional(),
    image_url: source(2_048).optional(),
    data: z
      .record(z.string().min(1).max(200), source(4_000))
      .refine((v) => Object.keys(v).length <= 50, "At most 50 data keys")
      .optional(),
    click_action: source(2_048).optional(),
    collapse_key: source(100).optional(),
  })
  .refine((v) => Boolean(v.title?.trim() || v.body?.trim() || v.data), { message: "A push needs a title, a body or data", path: ["title"] });

export const whatsappVariantSchema = z
  .strictObject({
    template_name: z.string().trim().regex(/^[a-z0-9_]{1,512}$/, "Cloud API template names are lower-case letters, digits and _").optional(),
    template_language: languageTagSchema.optional(),
    /** One Liquid expression per {{n}} parameter of the Cloud API template, in order. */
    parameters: z.array(source(1_024)).max(100).optional(),
    body_text: source(8_000).optional(),
  })
  .superRefine((v, ctx) => {
    if ((v.template_name === undefined) === (v.body_text === undefined)) {
      ctx.addIssue({ code: "custom", path: ["template_name"], message: "Give a Cloud API template name or free text (body_text), not both" });
    }
    if (v.body_text !== undefined && (v.parameters !== undefined || v.template_language !== undefined)) {
      ctx.addIssue({ code: "custom", path: ["parameters"], message: "Parameters and language belong to a Cloud API template" });
    }
  });

export const localeContentSchema = z.strictObject({
  email: emailVariantSchema.optional(),
  sms: smsVariantSchema.optional(),
  push: pushVariantSchema.optional(),
  whatsapp: whatsappVariantSchema.optional(),
});

export const templateContentSchema = z
  .strictObject({
    default_locale: languageTagSchema,
    locales: z
      .record(z.string(), localeContentSchema)
      .refine((v) => Object.keys(v).length <= 50, "At most 50 locales"),
  })
  .transform((v, ctx) => {
    // Locale keys are canonical BCP 47 (sv-se → sv-SE) so lookups and fallbacks compare exactly.
    const locales: Record<string, z.output<typeof localeContentSchema>> = {};
    for (const [tag, content] of Object.entries(v.locales)) {
      const parsed = languageTagSchema.safeParse(tag);
      if (!parsed.success) {
        ctx.addIssue({ code: "custom", path: ["locales", tag], message: `${tag} is not a BCP 47 language tag (e.g. sv-SE)` });
        continue;
      }
      if (locales[parsed.data]) ctx.addIssue({ code: "custom", path: ["locales", tag], message: `${tag} repeats ${parsed.data}` });
      locales[parsed.data] = content;
    }
    if (!locales[v.default_locale]) {
      ctx.addIssue({ code: "custom", path: ["default_locale"], message: `The default locale ${v.default_locale} has no content in locales` });
    }
    return { default_locale: v.default_locale, locales };
  });
export type TemplateContentInput = z.output<typeof templateContentSchema>;

export const templateCategorySchema = z.enum(templateCategories, "The category is transactional, marketing or reminders");

export const createTemplateBody = z.strictObject({
  key: templateKeySchema,
  name: z.string().trim().min(1, "A name is required").max(200),
  description: z.string().trim().max(2_000).optional(),
  category: templateCategorySchema.optional(),
  content: templateContentSchema,
});
export type CreateTemplateBody = z.output<typeof createTemplateBody>;

export const patchTemplateBody = z
  .strictObject({
    name: z.string().trim().min(1, "A name is required").max(200).optional(),
    description: z.string().trim().max(2_000).optional(),
    category: templateCategorySchema.optional(),
    content: templateContentSchema.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, "Change at least one field");
export type PatchTemplateBody = z.output<typeof patchTemplateBody>;

export const publishTemplateBody = z.strictObject({ note: z.string().trim().max(500).optional() });
export const rollbackTemplateBody = z.strictObject({ version: z.number().int().min(1, "Versions start at 1") });

/** The render variables a caller may pass: the send's `data.*`. Bounded like the send context. */
export const templateDataSchema = z
  .record(z.string(), z.unknown())
  .refine((v) => JSON.stringify(v).length <= 65_536, "data is at most 64 KiB of JSON");

export const previewTemplateBody = z.strictObject({
  channel: channelSchema,
  contact_id: z.string().uuid("contact_id is a contact id (UUID)").optional(),
  data: templateDataSchema.optional(),
  locale: languageTagSchema.optional(),
  /** Preview the draft (the editor) instead of the published version. */
  source: z.enum(["draft", "published"]).default("draft"),
  version: z.number().int().min(1).optional(),
  /** Unsaved editor content to render in place of the stored draft (live preview). */
  content: templateContentSchema.optional(),
});
export type PreviewTemplateBody = z.output<typeof previewTemplateBody>;

/** "Send a test to yourself": the draft (or unsaved content) rendered and sent through the tenant's routing. */
export const testSendTemplateBody = z.strictObject({
  channel: channelSchema,
  /** Email address or E.164 number (SMS, WhatsApp); push tests are not offered. */
  to: z.string().trim().min(1, "Give a recipient").max(320),
  contact_id: z.string().uuid("contact_id is a contact id (UUID)").optional(),
  data: templateDataSchema.optional(),
  locale: languageTagSchema.optional(),
  content: templateContentSchema.optional(),
});
export type TestSendTemplateBody = z.output<typeof testSendTemplateBody>;

export const listTemplatesQuery = z.object({
  q: z.string().trim().min(1).max(200).optional(),
  category: templateCategorySchema.optional(),
});

// ---------------------------------------------------------------------------------------------
// Responses

const iso = z.string();
export const templateVersionOut = z.object({
  version: z.number(),
  note: z.string(),
  published_by: z.string(),
  published_at: iso,
  current: z.boolean(),
});
export type TemplateVersionOut = z.infer<typeof templateVersionOut>;

export const templateOut = z.object({
  id: z.string(),
  key: z.string(),
  name: z.string(),
  description: z.string(),
  category: templateCategorySchema,
  channels: z.array(channelSchema),
  locales: z.array(z.string()),
  draft: z.custom<TemplateContentInput>(),
  published_version: z.number().nullable(),
  latest_version: z.number(),
  /** The draft differs from the published version's content. */
  has_unpublished_changes: z.boolean(),
  draft_updated_at: iso,
  created_at: iso,
  updated_at: iso,
});
export type TemplateOut = z.infer<typeof templateOut>;

export const renderedOut = z.object({
  channel: channelSchema,
  locale: z.string(),
  version: z.number().nullable(),
  email: z.object({ subject: z.string(), html: z.string().nullable(), text: z.string() }).optional(),
  sms: z.object({ body: z.string(), segments: z.number(), encoding: z.enum(["GSM-7", "UCS-2"]), characters: z.number() }).optional(),
  push: z.record(z.string(), z.unknown()).optional(),
  whatsapp: z.record(z.string(), z.unknown()).optional(),
});
export type RenderedOut = z.infer<typeof renderedOut>;
