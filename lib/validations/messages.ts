// Send and read schemas for messages: one payload schema per channel, shared by the unified
// endpoint, the provider-specific endpoints, the batch endpoint, the UI and the tests.
import { z } from "zod";
import { messageStatuses, providerKinds, type Channel, type ProviderKind } from "@/db/schema/enum-values";
import { boundedJsonObject, E164_PATTERN, isoDateTime, limitQuery, safeText } from "./common";
import { languageTagSchema } from "./provider-fields";
import { templateDataSchema, templateKeySchema } from "./templates";
import { mediaOut } from "./media";

export const channels = ["email", "sms", "push", "whatsapp"] as const satisfies readonly Channel[];
export const channelSchema = z.enum(channels);
export { messageStatuses };
export const messageStatusSchema = z.enum(messageStatuses);
export const pushPlatforms = ["ios", "android", "web"] as const;
export type PushPlatform = (typeof pushPlatforms)[number];

/** Bodies of single sends (the default 1 MiB limit applies); batch sends may be this large. */
export const BATCH_BODY_LIMIT = 16 * 1024 * 1024;
export const BATCH_MAX_ITEMS = 1000;
export const IDEMPOTENCY_KEY_MAX = 255;

// ---------------------------------------------------------------------------------------------
// Envelope fields every send accepts

export const idempotencyKeySchema = z
  .string()
  .min(1, "An idempotency key is 1–255 characters")
  .max(IDEMPOTENCY_KEY_MAX, "An idempotency key is at most 255 characters");

/** Passed through untouched to the communication.* events; a bounded JSON object. */
const contextSchema = boundedJsonObject({ label: "The context", maxBytes: 16_384 });

const envelope = {
  idempotency_key: idempotencyKeySchema.optional(),
  subscription_topic: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, "A topic is lower-case letters, digits and _ . - (e.g. marketing)")
    .optional(),
  action_id: z.string().trim().min(1).max(200, "At most 200 characters").optional(),
  context: contextSchema.optional(),
  /** Deliver no earlier than this (a scheduled send, cancellable until then); a past time sends now. */
  send_at: isoDateTime("send_at: an ISO 8601 time with its offset, e.g. 2027-03-27T10:00:00Z")
    .refine((v) => Date.parse(v) <= Date.now() + SEND_AT_MAX_AHEAD_MS, "send_at is at most 366 days ahead")
    .optional(),
};

/** How far ahead a scheduled send may be. */
export const SEND_AT_MAX_AHEAD_MS = 366 * 24 * 60 * 60 * 1000;

// ---------------------------------------------------------------------------------------------
// Field helpers

const e164 = z
  .string()
  .trim()
  .transform((v) => v.replace(/[\s().-]/g, ""))
  .pipe(z.string().regex(E164_PATTERN, "Use an E.164 number: + country code and number (e.g. +46701234567)"));

const httpsUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === "https:" || u.protocol === "http:";
    } catch {
      return false;
    }
  }, "Use an http(s) URL");

const emailAddress = z.string().trim().toLowerCase().max(320).email("Use a valid email address");

const mediaIdSchema = z.string().uuid("A media id (UUID) from POST /api/v1/media");

/** A stored media sent with the message (attachment, or an inline image the HTML names as cid:<content_id>). */
export const emailAttachmentSchema = z
  .strictObject({
    media_id: mediaIdSchema,
    /** The name recipients see; defaults to the media's file name. */
    filename: safeText().trim().min(1).max(255).refine((v) => !/[\u0000-\u001f\u007f]/.test(v), "No control characters").optional(),
    disposition: z.enum(["attachment", "inline"], "disposition is attachment or inline").optional(),
    content_id: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9._@-]{1,100}$/, "A content id is 1–100 letters, digits and . _ @ - (e.g. logo)")
      .optional(),
  })
  .superRefine((v, ctx) => {
    if (v.disposition === "inline" && v.content_id === undefined) ctx.addIssue({ code: "custom", path: ["content_id"], message: "An inline image needs a content_id (the HTML shows it as cid:<content_id>)" });
    if (v.content_id !== undefined && v.disposition !== "inline") ctx.addIssue({ code: "custom", path: ["disposition"], message: "content_id is for inline images: set disposition to inline" });
  });
export type EmailAttachment = z.output<typeof emailAttachmentSchema>;
const attachmentsSchema = z.array(emailAttachmentSchema).max(10, "At most 10 attachments").superRefine((list, ctx) => {
  const cids = new Set<string>();
  list.forEach((a, i) => {
    if (a.content_id === undefined) return;
    if (cids.has(a.content_id)) ctx.addIssue({ code: "custom", path: [i, "content_id"], message: "This content id repeats" });
    cids.add(a.content_id);
  });
});

// ---------------------------------------------------------------------------------------------
// Email (SendGrid v3 / Mailgun v3 models)

export const emailRecipientSchema = z.strictObject({
  email: emailAddress,
  name: z.string().trim().min(1).max(200).optional(),
});

export const emailPayloadSchema = z
  .strictObject({
    to: z.array(emailRecipientSchema).min(1, "At least one recipient").max(50, "At most 50 recipients per message"),
    subject: safeText().trim().min(1, "A subject is required").max(998, "At most 998 characters").optional(),
    template_id: z.string().trim().min(1).max(200).optional(),
    template_data: boundedJsonObject({ label: "template_data", maxBytes: 65_536 }).optional(),
    body_text: safeText().min(1).max(1_000_000).optional(),
    body_html: safeText().min(1).max(1_000_000).optional(),
    reply_to: emailAddress.optional(),
    categories: z.array(z.string().trim().min(1).max(255)).max(10, "At most 10 categories").optional(),
    /** SendGrid custom_args / Mailgun v: variables; string values only (SendGrid rejects others). */
    custom_args: z
      .record(z.string().min(1).max(100), z.string().max(1000))
      .refine((v) => Object.keys(v).length <= 50, "At most 50 custom args")
      .optional(),
    attachments: attachmentsSchema.optional(),
  })
  .superRefine((v, ctx) => {
    if (v.template_id === undefined) {
      if (v.body_text === undefined && v.body_html === undefined) {
        ctx.addIssue({ code: "custom", path: ["body_text"], message: "Give template_id, or body_text and/or body_html" });
      }
      if (v.subject === undefined) ctx.addIssue({ code: "custom", path: ["subject"], message: "A subject is required without a template" });
      if (v.template_data !== undefined) {
        ctx.addIssue({ code: "custom", path: ["template_data"], message: "template_data needs template_id" });
      }
    } else if (v.body_text !== undefined || v.body_html !== undefined) {
      ctx.addIssue({ code: "custom", path: ["template_id"], message: "Give either template_id or body_text/body_html, not both" });
    }
    const seen = new Set<string>();
    v.to.forEach((r, i) => {
      if (seen.has(r.email)) ctx.addIssue({ code: "custom", path: ["to", i, "email"], message: "This recipient repeats" });
      seen.add(r.email);
    });
  });
export type EmailPayload = z.output<typeof emailPayloadSchema>;

// ---------------------------------------------------------------------------------------------
// SMS (46elks / Twilio / Infobip)

export const smsPayloadSchema = z.strictObject({
  to: e164,
  body: z
    .string()
    .min(1, "The body is empty")
    .refine((v) => Array.from(v).length <= 1600, "An SMS body is at most 1600 characters"),
  /** Overrides the config's sender for this message (an E.164 number or ≤ 11 GSM characters). */
  from: z
    .string()
    .trim()
    .min(1)
    .max(16)
    .refine((v) => E164_PATTERN.test(v) || /^[A-Za-z0-9 &'()*,.\-/:;<=>?!_@#%]{1,11}$/.test(v), "An E.164 number or at most 11 GSM characters")
    .optional(),
});
export type SmsPayload = z.output<typeof smsPayloadSchema>;

// ---------------------------------------------------------------------------------------------
// Push (FCM v1 / OneSignal)

export const pushTargetSchema = z
  .strictObject({
    device_token: z.string().trim().min(1).max(4096).optional(),
    platform: z.enum(pushPlatforms, "The platform is ios, android or web"),
    /** A OneSignal subscription (player) id. */
    player_id: z.string().trim().min(1).max(100).optional(),
  })
  .refine((t) => t.device_token !== undefined || t.player_id !== undefined, {
    message: "A target needs device_token or player_id",
    path: ["device_token"],
  });

export const pushPayloadSchema = z
  .strictObject({
    target: pushTargetSchema.optional(),
    topic: z
      .string()
      .trim()
      .regex(/^[a-zA-Z0-9-_.~%]{1,900}$/, "A topic is 1–900 letters, digits and -_.~%")
      .optional(),
    title: safeText().trim().min(1).max(256).optional(),
    body: safeText().min(1).max(4000).optional(),
    image_url: httpsUrl.optional(),
    /** A stored image: delivery turns it into a signed URL that lives long enough for the device to fetch it. */
    image_media_id: mediaIdSchema.optional(),
    /** FCM data values must be strings. */
    data: z
      .record(z.string().min(1).max(200), z.string())
      .refine((v) => JSON.stringify(v).length <= 4096, "data is at most 4 KiB")
      .optional(),
    priority: z.enum(["normal", "high"]).optional(),
    ttl_seconds: z.number().int("Whole seconds").min(0).max(2_419_200, "At most 28 days (2419200 s)").optional(),
    collapse_key: z.string().trim().min(1).max(100).optional(),
    badge_count: z.number().int().min(0).max(99_999).optional(),
    sound: z.string().trim().min(1).max(200).optional(),
    click_action: z.string().trim().min(1).max(2048).optional(),
  })
  .superRefine((v, ctx) => {
    if ((v.target === undefined) === (v.topic === undefined)) {
      ctx.addIssue({ code: "custom", path: ["target"], message: "Give exactly one of target or topic" });
    }
    if (v.title === undefined && v.body === undefined && v.data === undefined) {
      ctx.addIssue({ code: "custom", path: ["title"], message: "A push needs a title, a body or data" });
    }
    if (v.image_url !== undefined && v.image_media_id !== undefined) {
      ctx.addIssue({ code: "custom", path: ["image_media_id"], message: "Give image_url or image_media_id, not both" });
    }
  });
export type PushPayload = z.output<typeof pushPayloadSchema>;

// ---------------------------------------------------------------------------------------------
// WhatsApp (Cloud API v18.0)

const whatsappTo = e164;
const templateFields = {
  to: whatsappTo,
  template_name: z.string().trim().regex(/^[a-z0-9_]{1,512}$/, "Template names are lower-case letters, digits and _"),
  /** BCP 47; defaults to the config's default_language_code. */
  template_language: languageTagSchema.optional(),
  template_parameters: z.array(z.string().min(1).max(1024)).max(100).optional(),
  /** Header media for the template (image/video/document link). */
  media_url: httpsUrl.optional(),
};
const textFields = {
  to: whatsappTo,
  body_text: safeText().min(1, "The body is empty").max(4096, "At most 4096 characters"),
  media_url: httpsUrl.optional(),
  preview_url: z.boolean().optional(),
};

export const whatsappMediaTypes = ["image", "video", "audio", "document", "sticker"] as const;

/** A media message: a stored media (Herald uploads it to WhatsApp) or a public link, with caption and file name. */
export const whatsappMediaSchema = z
  .strictObject({
    type: z.enum(whatsappMediaTypes, "type is image, video, audio, document or sticker"),
    media_id: mediaIdSchema.optional(),
    link: httpsUrl.optional(),
    caption: safeText().min(1).max(1024, "A caption is at most 1024 characters").optional(),
    filename: safeText().trim().min(1).max(255).optional(),
  })
  .superRefine((v, ctx) => {
    if ((v.media_id === undefined) === (v.link === undefined)) ctx.addIssue({ code: "custom", path: ["media_id"], message: "Give exactly one of media_id or link" });
    if (v.caption !== undefined && (v.type === "audio" || v.type === "sticker")) ctx.addIssue({ code: "custom", path: ["caption"], message: `A ${v.type} has no caption` });
    if (v.filename !== undefined && v.type !== "document") ctx.addIssue({ code: "custom", path: ["filename"], message: "Only documents have a file name" });
  });
export type WhatsappMedia = z.output<typeof whatsappMediaSchema>;

export const whatsappTemplatePayloadSchema = z.strictObject(templateFields);
export const whatsappTextPayloadSchema = z.strictObject(textFields);
export const whatsappMediaPayloadSchema = z.strictObject({ to: whatsappTo, media: whatsappMediaSchema });

/** Unified form: the message type follows from template_name, media or body_text. */
export const whatsappPayloadSchema = z
  .strictObject({
    to: whatsappTo,
    message_type: z.enum(["template", "text", "media"]).optional(),
    media: whatsappMediaSchema.optional(),
    template_name: templateFields.template_name.optional(),
    template_language: templateFields.template_language,
    template_parameters: templateFields.template_parameters,
    body_text: textFields.body_text.optional(),
    media_url: httpsUrl.optional(),
    preview_url: z.boolean().optional(),
  })
  .superRefine((v, ctx) => {
    const type = v.message_type ?? whatsappTypeOf(v);
    if (type !== "media" && v.media !== undefined) ctx.addIssue({ code: "custom", path: ["media"], message: "media applies to media messages only" });
    if (type === "media") {
      if (v.media === undefined) ctx.addIssue({ code: "custom", path: ["media"], message: "A media message needs media" });
      for (const f of ["template_name", "template_language", "template_parameters", "body_text", "media_url", "preview_url"] as const) {
        if (v[f] !== undefined) ctx.addIssue({ code: "custom", path: [f], message: `${f} does not apply to media messages (the caption is media.caption)` });
      }
    } else if (type === "template") {
      if (v.template_name === undefined) ctx.addIssue({ code: "custom", path: ["template_name"], message: "A template message needs template_name" });
      if (v.body_text !== undefined) ctx.addIssue({ code: "custom", path: ["body_text"], message: "Give either template_name or body_text, not both" });
      if (v.preview_url !== undefined) ctx.addIssue({ code: "custom", path: ["preview_url"], message: "preview_url applies to text messages only" });
    } else {
      if (v.body_text === undefined) ctx.addIssue({ code: "custom", path: ["body_text"], message: "A text message needs body_text (or give template_name)" });
      for (const f of ["template_name", "template_language", "template_parameters"] as const) {
        if (v[f] !== undefined) ctx.addIssue({ code: "custom", path: [f], message: `${f} applies to template messages only` });
      }
    }
  })
  .transform((v) => ({ ...v, message_type: v.message_type ?? whatsappTypeOf(v) }));
export type WhatsappPayload = z.output<typeof whatsappPayloadSchema>;

function whatsappTypeOf(v: { template_name?: string; media?: unknown }): "template" | "text" | "media" {
  return v.template_name !== undefined ? "template" : v.media !== undefined ? "media" : "text";
}

// ---------------------------------------------------------------------------------------------
// Requests

export const channelPayloadSchemas = {
  email: emailPayloadSchema,
  sms: smsPayloadSchema,
  push: pushPayloadSchema,
  whatsapp: whatsappPayloadSchema,
} as const;

export type ChannelPayload = EmailPayload | SmsPayload | PushPayload | WhatsappPayload;

/** A parsed send, whichever endpoint it came through. */
export interface SendInput {
  channel: Channel;
  payload: Record<string, unknown>;
  idempotencyKey?: string;
  actionId?: string;
  context?: Record<string, unknown>;
  /** Provider-specific endpoints name the config; the unified endpoint routes. */
  configId?: string;
  provider?: ProviderKind;
  /** The provider endpoint kind, whose schema the payload (rendered from a template, too) must pass. */
  endpoint?: ProviderEndpoint;
  /** A send by Herald template: `payload` holds only the caller's fields until the template is rendered. */
  template?: { key: string; data: Record<string, unknown>; locale?: string };
  /** The template version rendered into `payload` (set by the render step). */
  templateVersion?: number;
  /** Set when the send named a contact (contact_id / external_id) instead of an address. */
  contactId?: string;
  /** The subscription topic the send belongs to (e.g. `marketing`), checked against the contact's state. */
  subscriptionTopic?: string;
  /** A scheduled send: ISO time before which it is not delivered. */
  sendAt?: string;
}

/** `contact_id` / `external_id` are resolved to an address before parsing (lib/contacts/send-recipients.ts). */
const ENVELOPE_KEYS = ["idempotency_key", "action_id", "context", "channel", "config_id", "subscription_topic", "send_at"] as const;

/** Splits a raw body into the envelope and the channel payload (the payload schema is strict). */
function splitEnvelope(raw: Record<string, unknown>) {
  const env: Record<string, unknown> = {};
  const payload: Record<string, unknown> = {};
  // `template` marks a send by Herald template; then `data` and `locale` are its variables, not payload.
  const byTemplate = raw.template !== undefined;
  const templateEnv: Record<string, unknown> | undefined = byTemplate ? {} : undefined;
  for (const [k, v] of Object.entries(raw)) {
    if ((ENVELOPE_KEYS as readonly string[]).includes(k)) env[k] = v;
    else if (templateEnv && (TEMPLATE_ENVELOPE_KEYS as readonly string[]).includes(k)) templateEnv[k] = v;
    else payload[k] = v;
  }
  return { env, payload, templateEnv };
}

const configIdSchema = z.string().uuid("config_id is a provider config id (UUID)");
const unifiedEnvelope = z.object({ channel: z.enum(channels, "channel is one of email, sms, push, whatsapp"), config_id: configIdSchema.optional(), ...envelope });
const providerEnvelope = z.object({ config_id: configIdSchema, ...envelope });

/**
 * Parses a unified send (`{channel, ...payload, config_id?, idempotency_key?, action_id?, context?}`),
 * reporting every field error with its path. `config_id` pins the send to that config (no routing).
 */
export function parseUnifiedSend(raw: unknown): z.ZodSafeParseResult<SendInput> {
  return parseSend(
    raw,
    unifiedEnvelope,
    (env) => (channelSchema.safeParse(env.channel).success ? (env.channel as Channel) : undefined),
    (env) => (channelSchema.safeParse(env.channel).success ? channelPayloadSchemas[env.channel as Channel] : undefined),
    (env) => ({ channel: env.channel as Channel, ...(typeof env.config_id === "string" ? { configId: env.config_id } : {}) }),
  );
}

/** The endpoint kinds of `POST /api/communication/<provider>/…` and the payload each takes; a provider serves its channel's. */
export const providerEndpoints = {
  emails: { channel: "email", schema: emailPayloadSchema },
  sms: { channel: "sms", schema: smsPayloadSchema },
  push: { channel: "push", schema: pushPayloadSchema },
  "messages/template": {
    channel: "whatsapp",
    schema: whatsappTemplatePayloadSchema.transform((v) => ({ ...v, message_type: "template" as const })),
  },
  "messages/text": {
    channel: "whatsapp",
    schema: whatsappTextPayloadSchema.transform((v) => ({ ...v, message_type: "text" as const })),
  },
  "messages/media": {
    channel: "whatsapp",
    schema: whatsappMediaPayloadSchema.transform((v) => ({ ...v, message_type: "media" as const })),
  },
} as const satisfies Record<string, { channel: Channel; schema: z.ZodType }>;
export type ProviderEndpoint = keyof typeof providerEndpoints;

/** Parses a provider-specific send (`{config_id, ...payload, …}`) for one endpoint kind. */
export function parseProviderSend(endpoint: ProviderEndpoint, provider: ProviderKind, raw: unknown): z.ZodSafeParseResult<SendInput> {
  const spec = providerEndpoints[endpoint];
  return parseSend(
    raw,
    providerEnvelope,
    () => spec.channel,
    () => spec.schema,
    (env) => ({ channel: spec.channel, configId: env.config_id as string, provider, endpoint }),
  );
}

function parseSend(
  raw: unknown,
  envelopeSchema: z.ZodType<Record<string, unknown>>,
  channelOf: (env: Record<string, unknown>) => Channel | undefined,
  payloadSchema: (env: Record<string, unknown>) => z.ZodType | undefined,
  extra: (env: Record<string, unknown>) => Partial<SendInput>,
): z.ZodSafeParseResult<SendInput> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return z.record(z.string(), z.unknown()).safeParse(raw) as unknown as z.ZodSafeParseResult<SendInput>;
  }
  const { env, payload, templateEnv } = splitEnvelope(raw as Record<string, unknown>);
  const envParsed = envelopeSchema.safeParse(env);
  // The payload is checked even when the envelope is wrong, so a client fixes everything at once.
  // A send by template checks only the caller's fields now; the rendered payload is checked after rendering.
  const channel = channelOf(env);
  const templateParsed = templateEnv ? templateEnvelopeSchema.safeParse(templateEnv) : undefined;
  const payloadParsed = templateEnv
    ? channel
      ? parseTemplateShell(channel, payload)
      : undefined
    : payloadSchema(env)?.safeParse(payload);
  if (!envParsed.success || !payloadParsed?.success || templateParsed?.success === false) {
    const issues = [...(envParsed.error?.issues ?? []), ...(payloadParsed?.error?.issues ?? []), ...(templateParsed?.error?.issues ?? [])];
    return { success: false, error: new z.ZodError(issues) } as z.ZodSafeParseResult<SendInput>;
  }
  const e = envParsed.data as { idempotency_key?: string; action_id?: string; context?: Record<string, unknown>; subscription_topic?: string; send_at?: string };
  const t = templateParsed?.data;
  return {
    success: true,
    data: {
      ...(extra(envParsed.data) as { channel: Channel }),
      payload: payloadParsed.data as Record<string, unknown>,
      idempotencyKey: e.idempotency_key,
      actionId: e.action_id,
      context: e.context,
      ...(t ? { template: { key: t.template, data: t.data ?? {}, ...(t.locale ? { locale: t.locale } : {}) } } : {}),
      ...(e.subscription_topic !== undefined ? { subscriptionTopic: e.subscription_topic } : {}),
      ...(e.send_at !== undefined ? { sendAt: new Date(e.send_at).toISOString() } : {}),
    },
  } as z.ZodSafeParseResult<SendInput>;
}

/** The schema a send's final payload must pass: its provider endpoint's, else its channel's. */
export function finalPayloadSchema(input: Pick<SendInput, "channel" | "endpoint">): z.ZodType {
  return input.endpoint ? providerEndpoints[input.endpoint].schema : channelPayloadSchemas[input.channel];
}

// ---------------------------------------------------------------------------------------------
// Sends by template (`{"template": "<key>", "data": {…}, "locale"?}`): the envelope, and per channel
// the fields a caller still gives (recipient and delivery options); the content comes from the template.

export const TEMPLATE_ENVELOPE_KEYS = ["template", "data", "locale"] as const;

export const templateEnvelopeSchema = z.object({
  template: templateKeySchema,
  data: templateDataSchema.optional(),
  locale: languageTagSchema.optional(),
});

/** The content fields a template fills: giving them as well is ambiguous, so they are refused. */
const contentFields: Record<Channel, string[]> = {
  email: ["subject", "body_text", "body_html", "template_id", "template_data"],
  sms: ["body"],
  push: ["title", "body", "image_url", "data", "click_action", "collapse_key"],
  whatsapp: ["template_name", "template_language", "template_parameters", "body_text", "message_type", "media"],
};

const emailShell = z.strictObject({
  to: z.array(emailRecipientSchema).min(1, "At least one recipient").max(50, "At most 50 recipients per message"),
  reply_to: z.string().trim().toLowerCase().max(320).email("Use a valid email address").optional(),
  categories: z.array(z.string().trim().min(1).max(255)).max(10, "At most 10 categories").optional(),
  custom_args: z.record(z.string().min(1).max(100), z.string().max(1000)).optional(),
  attachments: attachmentsSchema.optional(),
});
const smsShell = z.strictObject({ to: e164, from: smsPayloadSchema.shape.from });
const pushShell = z.strictObject({
  target: pushTargetSchema.optional(),
  topic: z.string().trim().regex(/^[a-zA-Z0-9-_.~%]{1,900}$/, "A topic is 1–900 letters, digits and -_.~%").optional(),
  priority: z.enum(["normal", "high"]).optional(),
  ttl_seconds: z.number().int("Whole seconds").min(0).max(2_419_200).optional(),
  badge_count: z.number().int().min(0).max(99_999).optional(),
  sound: z.string().trim().min(1).max(200).optional(),
});
const whatsappShell = z.strictObject({
  to: e164,
  media_url: z.string().trim().max(2048).optional(),
  preview_url: z.boolean().optional(),
});
const shells: Record<Channel, z.ZodType<Record<string, unknown>>> = { email: emailShell, sms: smsShell, push: pushShell, whatsapp: whatsappShell };

/** Parses the caller's part of a template send for `channel`; a content field answers "comes from the template". */
export function parseTemplateShell(channel: Channel, payload: Record<string, unknown>): z.ZodSafeParseResult<Record<string, unknown>> {
  const issues: z.core.$ZodIssue[] = [];
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(payload)) {
    if (contentFields[channel].includes(k)) issues.push({ code: "custom", path: [k], message: `${k} comes from the template; leave it out`, input: v });
    else rest[k] = v;
  }
  const parsed = shells[channel].safeParse(rest);
  if (!parsed.success) issues.push(...parsed.error.issues);
  if (issues.length > 0) return { success: false, error: new z.ZodError(issues) } as z.ZodSafeParseResult<Record<string, unknown>>;
  return parsed;
}

export const batchSendBody = z.strictObject({
  messages: z
    .array(z.unknown())
    .min(1, "Send at least one message")
    .max(BATCH_MAX_ITEMS, `At most ${BATCH_MAX_ITEMS} messages per batch`),
});

// ---------------------------------------------------------------------------------------------
// Responses

export const sendResultOut = z.object({
  id: z.string(),
  status: messageStatusSchema,
  channel: channelSchema,
  provider: z.enum(providerKinds).nullable(),
  config_id: z.string().nullable(),
  route: z.array(z.object({ config_id: z.string(), provider: z.enum(providerKinds) })),
  idempotency_key: z.string().nullable(),
  sms: z.object({ segments: z.number(), encoding: z.enum(["GSM-7", "UCS-2"]), characters: z.number() }).optional(),
  /** Set on a scheduled send: not delivered before this. */
  send_at: z.string().nullable().optional(),
  created_at: z.string(),
});
export type SendResultOut = z.infer<typeof sendResultOut>;

export const batchItemOut = z.object({
  index: z.number(),
  /** The HTTP status this item would have had as a single send: 202, 200 (replay), 404, 409, 422. */
  status: z.number(),
  result: sendResultOut.optional(),
  replayed: z.boolean().optional(),
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }).optional(),
});
export const batchResultOut = z.object({
  accepted: z.number(),
  replayed: z.number(),
  rejected: z.number(),
  results: z.array(batchItemOut),
});
export type BatchItemOut = z.infer<typeof batchItemOut>;
export type BatchResultOut = z.infer<typeof batchResultOut>;

const iso = z.string();
export const messageOut = z.object({
  id: z.string(),
  channel: channelSchema,
  direction: z.enum(["outbound", "inbound"]),
  status: messageStatusSchema,
  provider: z.enum(providerKinds).nullable(),
  config_id: z.string().nullable(),
  route: z.array(z.object({ config_id: z.string(), provider: z.enum(providerKinds) })),
  recipient: z.string(),
  /** The contact the send named, if any (null once the contact is erased). */
  contact_id: z.string().nullable(),
  /** A provider template (SendGrid d-…, WhatsApp name) or the key of the Herald template rendered. */
  template_id: z.string().nullable(),
  /** The Herald template version rendered (null for literal content and provider templates). */
  template_version: z.number().nullable(),
  idempotency_key: z.string().nullable(),
  action_id: z.string().nullable(),
  /** A scheduled send's time (status `scheduled` until then). */
  send_at: iso.nullable(),
  /** The reminder run that sent it. */
  reminder_run_id: z.string().nullable(),
  trace_id: z.string(),
  provider_reference: z.string(),
  provider_message_id: z.string().nullable(),
  attempt_count: z.number(),
  segments: z.number().nullable(),
  cost_amount: z.string().nullable(),
  cost_currency: z.string().nullable(),
  error_code: z.string().nullable(),
  error_message: z.string().nullable(),
  engagement: z.object({ opens: z.number(), unique_opens: z.number(), clicks: z.number(), unique_clicks: z.number() }),
  bounce_type: z.string().nullable(),
  read_at: iso.nullable(),
  created_at: iso,
  updated_at: iso,
  sent_at: iso.nullable(),
  delivered_at: iso.nullable(),
  failed_at: iso.nullable(),
});
export type MessageOut = z.infer<typeof messageOut>;

export const attemptOut = z.object({
  id: z.string(),
  attempt_no: z.number(),
  provider: z.enum(providerKinds),
  config_id: z.string().nullable(),
  outcome: z.string(),
  request_summary: z.record(z.string(), z.unknown()),
  response_code: z.number().nullable(),
  error_code: z.string().nullable(),
  error_message: z.string().nullable(),
  retryable: z.boolean().nullable(),
  provider_reference: z.string().nullable(),
  latency_ms: z.number().nullable(),
  started_at: iso,
  finished_at: iso.nullable(),
});
export const statusChangeOut = z.object({
  from: messageStatusSchema.nullable(),
  to: messageStatusSchema,
  reason: z.string().nullable(),
  at: iso,
});
export const emittedEventOut = z.object({
  id: z.string(),
  event: z.string(),
  status: z.string(),
  created_at: iso,
  published_at: iso.nullable(),
  body: z.unknown(),
});

export const messageDetailOut = messageOut.extend({
  payload: z.record(z.string(), z.unknown()),
  /** Files of the message: inbound media stored by Herald, and the media an outbound message names. */
  media: z.array(mediaOut),
  context: z.record(z.string(), z.unknown()).nullable(),
  attempts: z.array(attemptOut),
  status_history: z.array(statusChangeOut),
  events: z.array(emittedEventOut),
});
export type MessageDetailOut = z.infer<typeof messageDetailOut>;

export const messageListOut = z.object({
  data: z.array(messageOut),
  next_cursor: z.string().nullable(),
  /** With include_total=true: matches, counted up to MESSAGE_TOTAL_CAP (then total_capped). */
  total: z.number().optional(),
  total_capped: z.boolean().optional(),
});
export type MessageListOut = z.infer<typeof messageListOut>;

/** The message log's filters: the list, its total and the CSV export read the same ones. */
const messageFilterFields = z.object({
  status: messageStatusSchema.optional(),
  channel: channelSchema.optional(),
  provider: z.enum(providerKinds).optional(),
  config_id: z.string().uuid().optional(),
  contact_id: z.string().uuid().optional(),
  /** The messages of one reminder run. */
  reminder_run_id: z.string().uuid().optional(),
  since: isoDateTime().optional(),
  until: isoDateTime().optional(),
  /**
   * A case-insensitive substring of the recipient (address, number, token or topic), or exactly
   * a message id, provider message id or idempotency key.
   */
  q: z.string().trim().min(1).max(200).optional(),
});
const sinceBeforeUntil = (v: { since?: string; until?: string }) => !v.since || !v.until || Date.parse(v.since) <= Date.parse(v.until);
const sinceBeforeUntilIssue = { message: "since must be before until", path: ["until"] };

export const listMessagesQuery = messageFilterFields
  .extend({
    cursor: z.string().max(200).optional(),
    limit: limitQuery,
    /** Also count every match (up to MESSAGE_TOTAL_CAP): `total`, `total_capped`. */
    include_total: z.enum(["true", "false"]).optional(),
  })
  .refine(sinceBeforeUntil, sinceBeforeUntilIssue);
export const exportMessagesQuery = messageFilterFields.refine(sinceBeforeUntil, sinceBeforeUntilIssue);
export type ExportMessagesQuery = z.infer<typeof exportMessagesQuery>;
/** Counting stops here: "10,000+" is as useful as an exact figure and stays cheap. */
export const MESSAGE_TOTAL_CAP = 10_000;
export type ListMessagesQuery = z.infer<typeof listMessagesQuery>;
