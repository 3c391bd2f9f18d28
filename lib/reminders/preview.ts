// What each channel of a reminder will say, for a sample recipient (a given contact, else the
// audience's first): the published template rendered with the contact and the event, as the firing renders it.
import { getDb } from "@/db";
import { findContactsByRefs } from "@/db/queries/contacts";
import { findRule, listRules, sampleAudience } from "@/db/queries/events";
import { findPublishedTemplates } from "@/db/queries/templates";
import { findTenantById } from "@/db/queries/tenants";
import type { RuleChannel } from "@/db/schema/reminders";
import { ApiError } from "@/lib/api/errors";
import { contactRowScope } from "@/lib/templates/contact-scope";
import { renderOrThrow } from "@/lib/templates/render-send";
import type { TenantContext } from "@/lib/tenancy/context";
import { eventPreviewOut, type EventPreviewBody, type EventPreviewOut } from "@/lib/validations/reminders";
import { audienceWhere } from "./audience";
import { getEventRecord } from "./events";
import { eventTemplateVars } from "./fire";

export async function previewEvent(ctx: TenantContext, eventId: string, body: EventPreviewBody): Promise<EventPreviewOut> {
  const db = getDb();
  const event = await getEventRecord(ctx, eventId);
  let channels: RuleChannel[] | undefined = body.channels;
  if (!channels && body.rule_id) {
    const rule = await findRule(db, { tenantId: ctx.tenantId, eventId, id: body.rule_id });
    if (!rule) throw ApiError.notFound("Reminder");
    channels = rule.channels;
  }
  channels ??= (await listRules(db, { tenantId: ctx.tenantId, eventId })).find((r) => r.purpose === "reminder")?.channels ?? [];
  const [contact] = body.contact_id
    ? await findContactsByRefs(db, { tenantId: ctx.tenantId, ids: [body.contact_id], externalIds: [] })
    : await sampleAudience(db, { tenantId: ctx.tenantId, where: await audienceWhere(db, event), limit: 1 });
  if (body.contact_id && !contact) throw ApiError.notFound("Contact");
  const [tenant, templates] = await Promise.all([
    findTenantById(db, { tenantId: ctx.tenantId }),
    findPublishedTemplates(db, { tenantId: ctx.tenantId, keys: channels.map((c) => c.template) }),
  ]);
  const byKey = new Map(templates.map((t) => [t.key, t]));
  const scope = contact ? contactRowScope(contact) : null;
  const vars = eventTemplateVars(event);
  return eventPreviewOut.parse({
    contact_id: contact?.id ?? null,
    channels: channels.map((c) => {
      const t = byKey.get(c.template);
      if (!t) return { channel: c.channel, template: c.template, rendered: null, error: { code: "TEMPLATE_NOT_FOUND", message: `No template with the key ${c.template}` } };
      if (!t.content) return { channel: c.channel, template: c.template, rendered: null, error: { code: "TEMPLATE_NOT_PUBLISHED", message: `Publish ${c.template} before the reminder fires` } };
      try {
        const r = renderOrThrow(t.content, c.channel, [scope?.locale], {
          contact: scope?.vars ?? null,
          tenant: { id: ctx.tenantId, slug: ctx.tenantSlug, name: tenant?.name ?? ctx.tenantSlug },
          data: {},
          event: vars,
          unsubscribe_url: "https://example.invalid/u/preview",
        });
        const { channel: _c, ...rendered } = r;
        return { channel: c.channel, template: c.template, rendered: rendered as Record<string, unknown>, error: null };
      } catch (err) {
        if (err instanceof ApiError) return { channel: c.channel, template: c.template, rendered: null, error: { code: err.code, message: err.message } };
        throw err;
      }
    }),
  });
}
