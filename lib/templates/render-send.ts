// Sends by template: load each key's published version once per request, render per recipient, and turn
// the result into the literal payload the rest of the send path (routing, suppression, delivery) already knows.
import { getDb } from "@/db";
import { findContactsByRefs } from "@/db/queries/contacts";
import { findPublishedTemplates, findTemplateCategories } from "@/db/queries/templates";
import { findTenantById } from "@/db/queries/tenants";
import type { TemplateCategory, TemplateContent } from "@/db/schema/templates";
import { ApiError, zodDetails } from "@/lib/api/errors";
import { resolveContactRecipients, type ResolvedSend } from "@/lib/contacts/send-recipients";
import type { TenantContext } from "@/lib/tenancy/context";
import { listUnsubscribeHeaders, signUnsubscribeToken, unsubscribeUrl } from "@/lib/unsubscribe/token";
import { finalPayloadSchema, type EmailPayload, type SendInput } from "@/lib/validations/messages";
import { contactRowScope, type ContactRenderScope } from "./contact-scope";
import { TemplateRenderError, TemplateSyntaxError } from "./liquid";
import { renderContent, TemplateChannelMissing, type Rendered, type RenderContext } from "./render";

export interface PublishedTemplate {
  id: string;
  key: string;
  category: TemplateCategory;
  version: number | null;
  versionId: string | null;
  content: TemplateContent | null;
}

/** What one request's template sends share: the tenant and each named template's published version. */
export interface TemplateSendScope {
  tenant: RenderContext["tenant"];
  templates: Map<string, PublishedTemplate>;
  /** The contacts template sends name, as `contact.*` sees them. */
  contacts: Map<string, ContactRenderScope>;
}

/** Topics whose emails carry one-click unsubscribe and honour a contact's unsubscription. */
export const UNSUBSCRIBABLE_TOPICS = ["marketing", "reminders"] as const;

export async function loadTemplateSendScope(ctx: TenantContext, inputs: SendInput[]): Promise<TemplateSendScope> {
  const keys = [...new Set(inputs.map((i) => i.template?.key).filter((k): k is string => k !== undefined))];
  const contactIds = [...new Set(inputs.filter((i) => i.template && i.contactId).map((i) => i.contactId!))];
  const db = getDb();
  const [tenant, rows, contacts] = await Promise.all([
    findTenantById(db, { tenantId: ctx.tenantId }),
    findPublishedTemplates(db, { tenantId: ctx.tenantId, keys }),
    contactIds.length ? findContactsByRefs(db, { tenantId: ctx.tenantId, ids: contactIds, externalIds: [] }) : [],
  ]);
  return {
    tenant: { id: ctx.tenantId, slug: ctx.tenantSlug, name: tenant?.name ?? ctx.tenantSlug },
    templates: new Map(
      rows.map((r) => [
        r.key,
        { id: r.id, key: r.key, category: r.category, version: r.publishedVersion, versionId: r.versionId, content: r.content },
      ]),
    ),
    contacts: new Map(contacts.map((c) => [c.id, contactRowScope(c)])),
  };
}

/**
 * The contacts' resolution of sends (their address, COMM_UNSUBSCRIBED), with a template's
 * category standing in for `subscription_topic` when the send gives none: an unsubscribe from
 * "marketing" then stops the next marketing template send. The stand-in is only for the check;
 * the send itself (and its idempotency fingerprint) stays as the caller wrote it.
 */
export async function resolveSendRecipients(ctx: TenantContext, raws: unknown[]): Promise<ResolvedSend[]> {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  const keys = raws.flatMap((r) => (isObj(r) && typeof r.template === "string" && r.subscription_topic === undefined && (r.contact_id !== undefined || r.external_id !== undefined) ? [r.template] : []));
  if (keys.length === 0) return resolveContactRecipients(ctx, raws);
  const categories = new Map((await findTemplateCategories(getDb(), { tenantId: ctx.tenantId, keys: [...new Set(keys)] })).map((r) => [r.key, r.category]));
  const injected = new Set<number>();
  const withTopics = raws.map((r, i) => {
    if (!isObj(r) || typeof r.template !== "string" || r.subscription_topic !== undefined) return r;
    const category = categories.get(r.template);
    if (!category || !(UNSUBSCRIBABLE_TOPICS as readonly string[]).includes(category)) return r;
    injected.add(i);
    return { ...r, subscription_topic: category };
  });
  const resolved = await resolveContactRecipients(ctx, withTopics);
  return resolved.map((r, i) => {
    if (!injected.has(i) || "error" in r || !isObj(r.raw)) return r;
    const { subscription_topic: _topic, ...raw } = r.raw;
    return { ...r, raw };
  });
}

export async function resolveSendRecipient(ctx: TenantContext, raw: unknown): Promise<{ raw: unknown; contactId?: string }> {
  const [r] = await resolveSendRecipients(ctx, [raw]);
  if ("error" in r!) throw r.error;
  return r!;
}

/** The subscription topic of a send: its template's category, else an email's marketing/reminders category. */
export function topicOf(input: SendInput, scope?: TemplateSendScope): string | null {
  if (input.subscriptionTopic) return (UNSUBSCRIBABLE_TOPICS as readonly string[]).includes(input.subscriptionTopic) ? input.subscriptionTopic : null;
  const category = input.template ? scope?.templates.get(input.template.key)?.category : undefined;
  if (category && (UNSUBSCRIBABLE_TOPICS as readonly string[]).includes(category)) return category;
  if (input.channel === "email") {
    const categories = (input.payload as Partial<EmailPayload>).categories ?? [];
    const hit = categories.find((c) => (UNSUBSCRIBABLE_TOPICS as readonly string[]).includes(c.toLowerCase()));
    if (hit) return hit.toLowerCase();
  }
  return null;
}

/** The signed one-click URL for a single-recipient email of an unsubscribable topic, else null. */
function unsubscribeLink(ctx: TenantContext, input: SendInput, topic: string | null, contactId: string | null): string | null {
  if (input.channel !== "email" || topic === null) return null;
  const to = (input.payload as Partial<EmailPayload>).to ?? [];
  // One token names one address: a message to several people cannot offer one honest one-click link.
  if (to.length !== 1) return null;
  return unsubscribeUrl(signUnsubscribeToken({ tenantId: ctx.tenantId, contactId, address: to[0]!.email, channel: "email", topic }));
}

/**
 * The send as it will be stored: a template send rendered into a literal payload (validated
 * like any literal send), and every marketing/reminder email given its RFC 8058 headers.
 * Throws ApiError (422) for an unknown, unpublished or incomplete template, listing every
 * missing variable at once.
 */
export function renderSendInput(
  ctx: TenantContext,
  input: SendInput,
  scope: TemplateSendScope | null,
  extra: { event?: Record<string, unknown> | null } = {},
): SendInput {
  const topic = topicOf(input, scope ?? undefined);
  const link = unsubscribeLink(ctx, input, topic, input.contactId ?? null);
  const contact = input.contactId ? scope?.contacts.get(input.contactId) : undefined;
  let out = input;
  if (input.template) {
    const t = scope?.templates.get(input.template.key);
    if (!t) {
      throw new ApiError({
        code: "TEMPLATE_NOT_FOUND",
        status: 422,
        message: `This tenant has no template with the key ${input.template.key}.`,
        details: [{ path: "template", message: "Unknown template key" }],
      });
    }
    if (t.version === null || t.content === null || t.versionId === null) {
      throw new ApiError({
        code: "TEMPLATE_NOT_PUBLISHED",
        status: 422,
        message: `The template ${t.key} has no published version yet: publish it before sending.`,
        details: [{ path: "template", message: "Not published" }],
      });
    }
    // The send's locale wins over the contact's; the template's default is the last fallback.
    const rendered = renderOrThrow(t.content, input.channel, [input.template.locale, contact?.locale], {
      contact: contact?.vars ?? null,
      tenant: scope!.tenant,
      data: input.template.data,
      event: extra.event ?? null,
      unsubscribe_url: link,
    }, t.versionId);
    const payload = payloadFrom(rendered, input.payload);
    const parsed = finalPayloadSchema(input).safeParse(payload);
    if (!parsed.success) {
      throw new ApiError({
        code: "TEMPLATE_RENDERED_INVALID",
        status: 422,
        message: `The ${input.channel} message rendered from ${t.key} v${t.version} is not valid: ${parsed.error.issues[0]?.message ?? "invalid"}.`,
        details: zodDetails(parsed.error),
      });
    }
    out = { ...input, payload: parsed.data as Record<string, unknown>, templateVersion: t.version };
  }
  if (link) out = { ...out, payload: { ...out.payload, headers: listUnsubscribeHeaders(link) } };
  return out;
}

/** Renders for a preview or a send; every failure is a 422 the caller can act on. */
export function renderOrThrow(
  content: TemplateContent,
  channel: SendInput["channel"],
  locales: (string | null | undefined)[],
  context: RenderContext,
  cacheKey?: string,
): Rendered {
  try {
    const r = renderContent(content, channel, locales, context, cacheKey);
    if (!r.ok) {
      throw new ApiError({
        code: "TEMPLATE_MISSING_VARIABLES",
        status: 422,
        message: `The template uses variables this send does not provide: ${r.missing.join(", ")}.`,
        details: r.missing.map((name) => ({ path: name, message: "Missing variable", variable: name })),
      });
    }
    return r.rendered;
  } catch (err) {
    if (err instanceof TemplateChannelMissing) {
      throw new ApiError({ code: "TEMPLATE_CHANNEL_MISSING", status: 422, message: `${err.message}.`, details: [{ path: "channel", message: err.message }], cause: err });
    }
    if (err instanceof TemplateSyntaxError || err instanceof TemplateRenderError) {
      throw new ApiError({
        code: "TEMPLATE_RENDER_FAILED",
        status: 422,
        message: `The template could not be rendered: ${err.message}`,
        details: [{ path: err.field, message: err.message }],
        cause: err,
      });
    }
    throw err;
  }
}

/** The literal channel payload: the caller's fields (recipient, options) plus the rendered content. */
function payloadFrom(r: Rendered, shell: Record<string, unknown>): Record<string, unknown> {
  switch (r.channel) {
    case "email":
      return { ...shell, subject: r.email.subject, ...(r.email.html ? { body_html: r.email.html } : {}), ...(r.email.text ? { body_text: r.email.text } : {}) };
    case "sms":
      return { ...shell, body: r.sms.body };
    case "push":
      return { ...shell, ...r.push };
    case "whatsapp": {
      const w = r.whatsapp;
      if (w.message_type === "text") return { ...shell, body_text: w.body_text };
      return {
        ...shell,
        template_name: w.template_name,
        ...(w.template_language ? { template_language: w.template_language } : {}),
        ...(w.template_parameters.length ? { template_parameters: w.template_parameters } : {}),
      };
    }
  }
}
