// Send and read schemas for messages: one payload schema per channel, shared by the unified
// endpoint, the provider-specific endpoints, the batch endpoint, the UI and the tests.
import { z } from "zod";
import { messageStatuses, type Channel } from "@/db/schema/messages";
import { providerKinds, type ProviderKind } from "@/db/schema/provider-configs";
import { limitQuery } from "./common";
import { E164_PATTERN } from "./common";
import { languageTagSchema } from "./provider-configs";

export const channels = ["email", "sms", "push", "whatsapp"] as const satisfies readonly Channel[];
export const channelSchema = z.enum(channels);
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
const contextSchema = z
  .record(z.string(), z.unknown())
  .refine((v) => JSON.stringify(v).length <= 16_384, "The context is at most 16 KiB of JSON");

const envelope = {
  idempotency_key: idempotencyKeySchema.optional(),
  action_id: z.string().trim().min(1).max(200, "At most 200 characters").optional(),
  context: contextSchema.optional(),
};

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

// ---------------------------------------------------------------------------------------------
// Email (SendGrid v3 / Mailgun v3 models)

export const emailRecipientSchema = z.strictObject({
  email: emailAddress,
  name: z.string().trim().min(1).max(200).optional(),
});

export const emailPayloadSchema = z
  .strictObject({
    to: z.array(emailRecipientSchema).min(1, "At least one recipient").max(50, "At most 50 recipients per message"),
    subject: z.string().trim().min(1, "A subject is required").max(998, "At most 998 characters").optional(),
    template_id: z.string().trim().min(1).max(200).optional(),
    template_data: z.record(z.string(), z.unknown()).optional(),
    body_text: z.string().min(1).max(1_000_000).optional(),
    body_html: z.string().min(1).max(1_000_000).optional(),
    reply_to: emailAddress.optional(),
    categories: z.array(z.string().trim().min(1).max(255)).max(10, "At most 10 categories").optional(),
    /** SendGrid custom_args / Mailgun v: variables; string values only (SendGrid rejects others). */
    custom_args: z
      .record(z.string().min(1).max(100), z.string().max(1000))
      .refine((v) => Object.keys(v).length <= 50, "At most 50 custom args")
      .optional(),
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
    title: z.string().trim().min(1).max(256).optional(),
    body: z.string().min(1).max(4000).optional(),
    image_url: httpsUrl.optional(),
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
  body_text: z.string().min(1, "The body is empty").max(4096, "At most 4096 characters"),
  media_url: httpsUrl.optional(),
  preview_url: z.boolean().optional(),
};

export const whatsappTemplatePayloadSchema = z.strictObject(templateFields);
export const whatsappTextPayloadSchema = z.strictObject(textFields);

/** Unified form: the message type follows from template_name or body_text. */
export const whatsappPayloadSchema = z
  .strictObject({
    to: whatsappTo,
    message_type: z.enum(["template", "text"]).optional(),
    template_name: templateFields.template_name.optional(),
    template_language: templateFields.template_language,
    template_parameters: templateFields.template_parameters,
    body_text: textFields.body_text.optional(),
    media_url: httpsUrl.optional(),
    preview_url: z.boolean().optional(),
  })
  .superRefine((v, ctx) => {
    const type = v.message_type ?? (v.template_name !== undefined ? "template" : "text");
    if (type === "template") {
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
  .transform((v) => ({ ...v, message_type: v.message_type ?? (v.template_name !== undefined ? ("template" as const) : ("text" as const)) }));
export type WhatsappPayload = z.output<typeof whatsappPayloadSchema>;

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
}

const ENVELOPE_KEYS = ["idempotency_key", "action_id", "context", "channel", "config_id"] as const;

/** Splits a raw body into the envelope and the channel payload (the payload schema is strict). */
function splitEnvelope(raw: Record<string, unknown>) {
  const env: Record<string, unknown> = {};
  const payload: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if ((ENVELOPE_KEYS as readonly string[]).includes(k)) env[k] = v;
    else payload[k] = v;
  }
  return { env, payload };
}

const unifiedEnvelope = z.object({ channel: z.enum(channels, "channel is one of email, sms, push, whatsapp"), ...envelope });
const providerEnvelope = z.object({ config_id: z.string().uuid("config_id is a provider config id (UUID)"), ...envelope });

/**
 * Parses a unified send (`{channel, ...payload, idempotency_key?, action_id?, context?}`),
 * reporting every field error with its path.
 */
export function parseUnifiedSend(raw: unknown): z.ZodSafeParseResult<SendInput> {
  return parseSend(
    raw,
    unifiedEnvelope,
    (env) => (channelSchema.safeParse(env.channel).success ? channelPayloadSchemas[env.channel as Channel] : undefined),
    (env) => ({ channel: env.channel as Channel }),
  );
}

/** The endpoint kinds of `POST /api/communication/<provider>/…` and the payload each takes. */
export const providerEndpoints = {
  emails: { channel: "email", providers: ["sendgrid", "mailgun"], schema: emailPayloadSchema },
  sms: { channel: "sms", providers: ["elks", "twilio", "infobip"], schema: smsPayloadSchema },
  push: { channel: "push", providers: ["fcm", "onesignal"], schema: pushPayloadSchema },
  "messages/template": {
    channel: "whatsapp",
    providers: ["whatsapp"],
    schema: whatsappTemplatePayloadSchema.transform((v) => ({ ...v, message_type: "template" as const })),
  },
  "messages/text": {
    channel: "whatsapp",
    providers: ["whatsapp"],
    schema: whatsappTextPayloadSchema.transform((v) => ({ ...v, message_type: "text" as const })),
  },
} as const satisfies Record<string, { channel: Channel; providers: readonly ProviderKind[]; schema: z.ZodType }>;
export type ProviderEndpoint = keyof typeof providerEndpoints;

/** Parses a provider-specific send (`{config_id, ...payload, …}`) for one endpoint kind. */
export function parseProviderSend(endpoint: ProviderEndpoint, provider: ProviderKind, raw: unknown): z.ZodSafeParseResult<SendInput> {
  const spec = providerEndpoints[endpoint];
  return parseSend(raw, providerEnvelope, () => spec.schema, (env) => ({ channel: spec.channel, configId: env.config_id as string, provider }));
}

function parseSend(
  raw: unknown,
  envelopeSchema: z.ZodType<Record<string, unknown>>,
  payloadSchema: (env: Record<string, unknown>) => z.ZodType | undefined,
  extra: (env: Record<string, unknown>) => Partial<SendInput>,
): z.ZodSafeParseResult<SendInput> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return z.record(z.string(), z.unknown()).safeParse(raw) as unknown as z.ZodSafeParseResult<SendInput>;
  }
  const { env, payload } = splitEnvelope(raw as Record<string, unknown>);
  const envParsed = envelopeSchema.safeParse(env);
  // The payload is checked even when the envelope is wrong, so a client fixes everything at once.
  const schema = payloadSchema(env);
  const payloadParsed = schema?.safeParse(payload);
  if (!envParsed.success || !payloadParsed?.success) {
    const issues = [...(envParsed.error?.issues ?? []), ...(payloadParsed?.error?.issues ?? [])];
    return { success: false, error: new z.ZodError(issues) } as z.ZodSafeParseResult<SendInput>;
  }
  const e = envParsed.data as { idempotency_key?: string; action_id?: string; context?: Record<string, unknown> };
  return {
    success: true,
    data: {
      ...(extra(envParsed.data) as { channel: Channel }),
      payload: payloadParsed.data as Record<string, unknown>,
      idempotencyKey: e.idempotency_key,
      actionId: e.action_id,
      context: e.context,
    },
  } as z.ZodSafeParseResult<SendInput>;
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
  template_id: z.string().nullable(),
  idempotency_key: z.string().nullable(),
  action_id: z.string().nullable(),
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
  context: z.record(z.string(), z.unknown()).nullable(),
  attempts: z.array(attemptOut),
  status_history: z.array(statusChangeOut),
  events: z.array(emittedEventOut),
});
export type MessageDetailOut = z.infer<typeof messageDetailOut>;

export const messageListOut = z.object({ data: z.array(messageOut), next_cursor: z.string().nullable() });
export type MessageListOut = z.infer<typeof messageListOut>;

export const listMessagesQuery = z
  .object({
    status: messageStatusSchema.optional(),
    channel: channelSchema.optional(),
    provider: z.enum(providerKinds).optional(),
    config_id: z.string().uuid().optional(),
    since: z.iso.datetime({ offset: true }).optional(),
    until: z.iso.datetime({ offset: true }).optional(),
    /** Recipient search: a case-insensitive substring of the address, number, token or topic. */
    q: z.string().trim().min(1).max(200).optional(),
    cursor: z.string().max(200).optional(),
    limit: limitQuery,
  })
  .refine((v) => !v.since || !v.until || Date.parse(v.since) <= Date.parse(v.until), {
    message: "since must be before until",
    path: ["until"],
  });
export type ListMessagesQuery = z.infer<typeof listMessagesQuery>;
