// Preview and test sends: render a template's draft, unsaved editor content, the published or any
// version for sample data or a real contact; the test send then goes through the tenant's routing.
import { getDb } from "@/db";
import { findTemplateVersion } from "@/db/queries/templates";
import { findTenantById } from "@/db/queries/tenants";
import type { TemplateContent } from "@/db/schema/templates";
import { ApiError } from "@/lib/api/errors";
import { sendMessage, type SendOutcome } from "@/lib/messaging/send-message";
import type { TenantContext } from "@/lib/tenancy/context";
import { channelPayloadSchemas, type SendInput } from "@/lib/validations/messages";
import type { PreviewTemplateBody, RenderedOut, TestSendTemplateBody } from "@/lib/validations/templates";
import { previewContactFor } from "./contact-scope";
import type { Rendered } from "./render";
import { renderOrThrow } from "./render-send";
import { mustFindTemplate } from "./templates";

type RenderRequest = Pick<PreviewTemplateBody, "channel" | "contact_id" | "data" | "locale" | "content"> & { source?: "draft" | "published"; version?: number };

async function renderFor(ctx: TenantContext, key: string, input: RenderRequest): Promise<{ rendered: Rendered; version: number | null }> {
  const t = await mustFindTemplate(ctx, key);
  const db = getDb();
  const wanted = input.content ? null : (input.version ?? (input.source === "published" ? t.publishedVersion : null));
  if (input.source === "published" && !input.content && wanted === null) {
    throw new ApiError({ code: "TEMPLATE_NOT_PUBLISHED", status: 422, message: `The template ${key} has no published version yet.` });
  }
  const version = wanted === null ? null : await findTemplateVersion(db, { tenantId: ctx.tenantId, templateId: t.id, version: wanted });
  if (wanted !== null && !version) {
    throw new ApiError({ code: "validation_failed", message: `Version ${wanted} of ${key} does not exist`, details: [{ path: "version", message: "No such version" }] });
  }
  const [tenant, contact] = await Promise.all([findTenantById(db, { tenantId: ctx.tenantId }), previewContactFor(ctx, input.contact_id)]);
  const content: TemplateContent = version?.content ?? input.content ?? t.draft;
  const rendered = renderOrThrow(
    content,
    input.channel,
    [input.locale, contact?.locale],
    {
      contact: contact?.vars ?? null,
      tenant: { id: ctx.tenantId, slug: ctx.tenantSlug, name: tenant?.name ?? ctx.tenantSlug },
      data: input.data ?? {},
      event: null,
      // A stand-in so a body linking {{ unsubscribe_url }} previews; real sends sign one per recipient.
      unsubscribe_url: t.category === "transactional" ? null : "https://example.invalid/u/preview",
    },
    version?.id,
  );
  return { rendered, version: version?.version ?? null };
}

export async function previewTemplate(ctx: TenantContext, key: string, input: PreviewTemplateBody): Promise<RenderedOut> {
  const { rendered, version } = await renderFor(ctx, key, input);
  const base = { channel: rendered.channel, locale: rendered.locale, version };
  switch (rendered.channel) {
    case "email":
      return { ...base, email: rendered.email };
    case "sms":
      return { ...base, sms: rendered.sms };
    case "push":
      return { ...base, push: rendered.push as Record<string, unknown> };
    case "whatsapp":
      return { ...base, whatsapp: rendered.whatsapp as Record<string, unknown> };
  }
}

/** Renders the draft for the caller and sends it through the normal path (routing, suppression, delivery). */
export async function testSendTemplate(ctx: TenantContext, key: string, input: TestSendTemplateBody): Promise<SendOutcome> {
  if (input.channel === "push") {
    throw new ApiError({ code: "validation_failed", message: "Test sends are for email, SMS and WhatsApp", details: [{ path: "channel", message: "Push needs a device" }] });
  }
  const { rendered } = await renderFor(ctx, key, input);
  let payload: Record<string, unknown>;
  if (rendered.channel === "email") {
    payload = { to: [{ email: input.to }], subject: `[Test] ${rendered.email.subject}`, ...(rendered.email.html ? { body_html: rendered.email.html } : {}), ...(rendered.email.text ? { body_text: rendered.email.text } : {}) };
  } else if (rendered.channel === "sms") {
    payload = { to: input.to, body: rendered.sms.body };
  } else if (rendered.channel === "whatsapp") {
    const w = rendered.whatsapp;
    payload = w.message_type === "text" ? { to: input.to, body_text: w.body_text } : { to: input.to, template_name: w.template_name, template_language: w.template_language, ...(w.template_parameters.length ? { template_parameters: w.template_parameters } : {}) };
  } else {
    throw new Error("unreachable");
  }
  const parsed = channelPayloadSchemas[input.channel].safeParse(payload);
  if (!parsed.success) {
    throw new ApiError({ code: "validation_failed", message: parsed.error.issues[0]?.message ?? "The test message is invalid", details: [{ path: "to", message: parsed.error.issues[0]?.message ?? "Invalid" }] });
  }
  const send: SendInput = { channel: input.channel, payload: parsed.data as Record<string, unknown>, context: { herald_template_test: key } };
  return sendMessage(ctx, send, { endpoint: `templates/test-send` });
}
