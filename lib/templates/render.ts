// Rendering one channel variant of a template's content for one recipient: locale fallback, strict
// Liquid per field, text from HTML when the email has no text part.
import { convert } from "html-to-text";
import type { Channel } from "@/db/schema/messages";
import type { TemplateContent, TemplateLocaleContent } from "@/db/schema/templates";
import { smsSegments } from "@/lib/messaging/sms-segments";
import { compileSource, renderStrict, type RenderScope, type SourceKind } from "./liquid";

/** What a template can see. `event` is the reminder's event (null for other sends). */
export interface RenderContext {
  contact: Record<string, unknown> | null;
  tenant: { id: string; slug: string; name: string };
  data: Record<string, unknown>;
  event: Record<string, unknown> | null;
  /** The recipient's one-click unsubscribe page (marketing and reminder emails), for a link in the body. */
  unsubscribe_url?: string | null;
}

export interface RenderedEmail {
  subject: string;
  html: string | null;
  text: string;
}
export interface RenderedSms {
  body: string;
  segments: number;
  encoding: "GSM-7" | "UCS-2";
  characters: number;
}
export interface RenderedPush {
  title?: string;
  body?: string;
  image_url?: string;
  data?: Record<string, string>;
  click_action?: string;
  collapse_key?: string;
}
export type RenderedWhatsapp =
  | { message_type: "template"; template_name: string; template_language?: string; template_parameters: string[] }
  | { message_type: "text"; body_text: string };

export type Rendered =
  | { channel: "email"; locale: string; email: RenderedEmail }
  | { channel: "sms"; locale: string; sms: RenderedSms }
  | { channel: "push"; locale: string; push: RenderedPush }
  | { channel: "whatsapp"; locale: string; whatsapp: RenderedWhatsapp };

export type RenderResult = { ok: true; rendered: Rendered } | { ok: false; missing: string[] };

export class TemplateChannelMissing extends Error {
  constructor(readonly channel: Channel) {
    super(`This template has no ${channel} content`);
    this.name = "TemplateChannelMissing";
  }
}

/**
 * The locale whose variant of `channel` a recipient gets: the exact tag (sv-SE), then its
 * language (sv), then another region of that language (sv-FI), then the template's default.
 * Tags compare case-insensitively. Null when no locale has the channel.
 */
export function pickLocale(content: TemplateContent, channel: Channel, wanted: (string | null | undefined)[]): string | null {
  const has = (tag: string) => content.locales[tag]?.[channel] !== undefined;
  const tags = Object.keys(content.locales);
  const byLower = new Map(tags.map((t) => [t.toLowerCase(), t]));
  for (const w of wanted) {
    if (!w) continue;
    const lower = w.toLowerCase().replace(/_/g, "-");
    const exact = byLower.get(lower);
    if (exact && has(exact)) return exact;
    const language = lower.split("-")[0]!;
    const lang = byLower.get(language);
    if (lang && has(lang)) return lang;
    const region = tags.find((t) => t.toLowerCase().startsWith(`${language}-`) && has(t));
    if (region) return region;
  }
  if (has(content.default_locale)) return content.default_locale;
  return tags.find(has) ?? null;
}

/** Field sources of one variant, with the Liquid flavour each renders with. */
function fieldsOf(channel: Channel, v: NonNullable<TemplateLocaleContent[Channel]>): { name: string; src: string; kind: SourceKind }[] {
  const out: { name: string; src: string; kind: SourceKind }[] = [];
  const add = (name: string, src: string | undefined, kind: SourceKind = "text") => {
    if (src !== undefined && src !== "") out.push({ name, src, kind });
  };
  if (channel === "email") {
    const e = v as NonNullable<TemplateLocaleContent["email"]>;
    add("subject", e.subject);
    add("html", e.html, "html");
    add("text", e.text);
  } else if (channel === "sms") {
    add("body", (v as NonNullable<TemplateLocaleContent["sms"]>).body);
  } else if (channel === "push") {
    const p = v as NonNullable<TemplateLocaleContent["push"]>;
    for (const f of ["title", "body", "image_url", "click_action", "collapse_key"] as const) add(f, p[f]);
    for (const [k, src] of Object.entries(p.data ?? {})) add(`data.${k}`, src);
  } else {
    const w = v as NonNullable<TemplateLocaleContent["whatsapp"]>;
    add("body_text", w.body_text);
    (w.parameters ?? []).forEach((src, i) => add(`parameters[${i}]`, src));
  }
  return out;
}

/** Compiles every field of every locale: the check a draft passes before it is saved. Throws TemplateSyntaxError. */
export function compileContent(content: TemplateContent): void {
  for (const [locale, variants] of Object.entries(content.locales)) {
    for (const channel of ["email", "sms", "push", "whatsapp"] as const) {
      const v = variants[channel];
      if (!v) continue;
      for (const f of fieldsOf(channel, v)) compileSource(f.src, f.kind, `locales.${locale}.${channel}.${f.name}`);
    }
  }
}

/**
 * Renders `channel` for one recipient. `cacheKey` identifies immutable content (a published
 * version id) so its fields compile once; drafts pass none and are cached by source text.
 * Throws TemplateChannelMissing, TemplateSyntaxError or TemplateRenderError; missing variables
 * are a result, listing every name.
 */
export function renderContent(
  content: TemplateContent,
  channel: Channel,
  locales: (string | null | undefined)[],
  context: RenderContext,
  cacheKey?: string,
): RenderResult {
  const locale = pickLocale(content, channel, locales);
  if (!locale) throw new TemplateChannelMissing(channel);
  const variant = content.locales[locale]![channel]!;
  // No contact (or event) means its variables are missing, not empty: liquidjs reads null.x as
  // null without complaint, so absent parts are left out of the scope for strict mode to catch.
  const scope: RenderScope = { tenant: context.tenant, data: context.data, unsubscribe_url: context.unsubscribe_url ?? null };
  if (context.contact) scope.contact = context.contact;
  if (context.event) scope.event = context.event;
  const values: Record<string, string> = {};
  const missing = new Set<string>();
  for (const f of fieldsOf(channel, variant)) {
    const path = `locales.${locale}.${channel}.${f.name}`;
    const tpl = compileSource(f.src, f.kind, path, cacheKey ? `${cacheKey}|${path}` : undefined);
    const r = renderStrict(tpl, f.kind, scope, path);
    if (r.ok) values[f.name] = r.output;
    else for (const m of r.missing) missing.add(m);
  }
  if (missing.size > 0) return { ok: false, missing: [...missing] };
  return { ok: true, rendered: assemble(channel, locale, variant, values) };
}

function assemble(channel: Channel, locale: string, variant: NonNullable<TemplateLocaleContent[Channel]>, v: Record<string, string>): Rendered {
  switch (channel) {
    case "email": {
      const html = v.html?.trim() ? v.html : null;
      const text = v.text?.trim() ? v.text : html ? htmlToText(html) : "";
      return { channel, locale, email: { subject: v.subject!.replace(/\s*[\r\n]+\s*/g, " ").trim(), html, text } };
    }
    case "sms": {
      const s = smsSegments(v.body!);
      return { channel, locale, sms: { body: v.body!, segments: s.segments, encoding: s.encoding, characters: s.characters } };
    }
    case "push": {
      const data: Record<string, string> = {};
      for (const [k, val] of Object.entries(v)) if (k.startsWith("data.")) data[k.slice(5)] = val;
      const push: RenderedPush = {};
      for (const f of ["title", "body", "image_url", "click_action", "collapse_key"] as const) if (v[f]?.trim()) push[f] = v[f]!.trim();
      if (Object.keys(data).length > 0) push.data = data;
      return { channel, locale, push };
    }
    case "whatsapp": {
      const w = variant as NonNullable<TemplateLocaleContent["whatsapp"]>;
      if (w.template_name) {
        const params = (w.parameters ?? []).map((_, i) => v[`parameters[${i}]`] ?? "");
        return {
          channel,
          locale,
          whatsapp: { message_type: "template", template_name: w.template_name, template_language: w.template_language ?? locale, template_parameters: params },
        };
      }
      return { channel, locale, whatsapp: { message_type: "text", body_text: v.body_text ?? "" } };
    }
  }
}

/** Plain text from rendered HTML (html-to-text): links kept as "text [url]", images dropped, 78-column wrap. */
export function htmlToText(html: string): string {
  return convert(html, {
    wordwrap: 78,
    selectors: [
      { selector: "img", format: "skip" },
      { selector: "a", options: { hideLinkHrefIfSameAsText: true } },
    ],
  }).trim();
}
