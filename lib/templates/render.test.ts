import { describe, expect, it } from "vitest";
import type { TemplateContent } from "@/db/schema/templates";
import { compileSource, renderStrict, TemplateRenderError, TemplateSyntaxError } from "./liquid";
import { compileContent, pickLocale, renderContent, type RenderContext } from "./render";

const tenant = { id: "t1", slug: "acme", name: "Acme" };
const ctx = (over: Partial<RenderContext> = {}): RenderContext => ({ contact: null, tenant, data: {}, event: null, ...over });

const content: TemplateContent = {
  default_locale: "en",
  locales: {
    en: {
      email: { subject: "Welcome {{ contact.first_name }}", html: "<p>Hi {{ contact.first_name }}, {{ data.note }}</p><a href=\"{{ data.url }}\">Open</a>" },
      sms: { body: "Hi {{ contact.first_name }}, code {{ data.code }}" },
      push: { title: "Hi {{ contact.first_name }}", data: { deep_link: "app://{{ data.code }}" } },
      whatsapp: { template_name: "order_update", parameters: ["{{ contact.first_name }}", "{{ data.code }}"] },
    },
    sv: { email: { subject: "Välkommen {{ contact.first_name }}", text: "Hej {{ contact.first_name }}" }, sms: { body: "Hej {{ contact.first_name }} – kod {{ data.code }}" } },
    "pt-BR": { sms: { body: "Olá {{ contact.first_name }}" } },
  },
};

describe("locale fallback", () => {
  it.each([
    [["sv-SE"], "sms", "sv"],
    [["SV-se"], "sms", "sv"],
    [["sv_FI"], "sms", "sv"],
    [["pt"], "sms", "pt-BR"],
    [["de-DE"], "sms", "en"],
    [[undefined, "sv"], "sms", "sv"],
    [["sv-SE"], "push", "en"],
    [[], "whatsapp", "en"],
  ] as const)("%j on %s → %s", (wanted, channel, expected) => {
    expect(pickLocale(content, channel, [...wanted])).toBe(expected);
  });
});

describe("rendering", () => {
  const contact = { first_name: "Åsa <3" };

  it("escapes HTML in the email body but not in the subject or generated text", () => {
    const r = renderContent(content, "email", ["en"], ctx({ contact, data: { note: "<script>x</script>", url: "https://e.x/?a=1&b=2" } }));
    expect(r.ok).toBe(true);
    if (!r.ok || r.rendered.channel !== "email") throw new Error("expected email");
    expect(r.rendered.email.subject).toBe("Welcome Åsa <3");
    expect(r.rendered.email.html).toContain("Hi Åsa &lt;3, &lt;script&gt;x&lt;/script&gt;");
    expect(r.rendered.email.html).toContain('href="https://e.x/?a=1&amp;b=2"');
    // Text generated from the rendered HTML: tags gone, entities decoded, the link kept.
    expect(r.rendered.email.text).toContain("Hi Åsa <3, <script>x</script>");
    expect(r.rendered.email.text).toContain("Open [https://e.x/?a=1&b=2]");
  });

  it("lists every missing variable across all fields at once", () => {
    const r = renderContent(content, "email", ["en"], ctx({ contact: {}, data: {} }));
    expect(r).toEqual({ ok: false, missing: ["contact.first_name", "data.note", "data.url"] });
  });

  it("without a contact, contact.* variables are missing (not silently empty)", () => {
    const r = renderContent(content, "email", ["en"], ctx({ contact: null, data: {} }));
    expect(r).toEqual({ ok: false, missing: ["contact.first_name", "data.note", "data.url"] });
  });

  it("treats variables guarded by if/default as optional", () => {
    const tpl = compileSource("{% if data.vip %}VIP {% endif %}{{ data.name | default: 'friend' }}", "text", "f");
    expect(renderStrict(tpl, "text", { data: {} }, "f")).toEqual({ ok: true, output: "friend" });
  });

  it("renders SMS with the segment count, localised", () => {
    const r = renderContent(content, "sms", ["sv-SE"], ctx({ contact, data: { code: 1234 } }));
    if (!r.ok || r.rendered.channel !== "sms") throw new Error("expected sms");
    expect(r.rendered.locale).toBe("sv");
    expect(r.rendered.sms).toMatchObject({ body: "Hej Åsa <3 – kod 1234", encoding: "UCS-2", segments: 1 });
  });

  it("renders push data values and WhatsApp template parameters", () => {
    const push = renderContent(content, "push", [], ctx({ contact, data: { code: "X1" } }));
    if (!push.ok || push.rendered.channel !== "push") throw new Error("expected push");
    expect(push.rendered.push).toEqual({ title: "Hi Åsa <3", data: { deep_link: "app://X1" } });
    const wa = renderContent(content, "whatsapp", ["sv"], ctx({ contact, data: { code: "X1" } }));
    if (!wa.ok || wa.rendered.channel !== "whatsapp") throw new Error("expected whatsapp");
    expect(wa.rendered.whatsapp).toEqual({ message_type: "template", template_name: "order_update", template_language: "en", template_parameters: ["Åsa <3", "X1"] });
  });
});

describe("sandbox", () => {
  it.each(["{% include 'secrets.liquid' %}", "{% render '/etc/passwd' %}", "{% layout 'x' %}x", "{{ 'a' | no_such_filter }}", "{% if %}"])(
    "refuses %s at compile time",
    (src) => {
      expect(() => compileContent({ default_locale: "en", locales: { en: { sms: { body: src } } } })).toThrow(TemplateSyntaxError);
    },
  );

  it("bounds memory and output", () => {
    const big = compileSource("{% for i in (1..100000000) %}x{% endfor %}", "text", "f");
    expect(() => renderStrict(big, "text", {}, "f")).toThrow(TemplateRenderError);
    const wide = compileSource("{{ data.s }}{{ data.s }}", "text", "g");
    expect(() => renderStrict(wide, "text", { data: { s: "y".repeat(600_000) } }, "g")).toThrow(/more than 1000000 characters/);
  });

  it("sees own properties only (no prototype or constructor walking)", () => {
    const tpl = compileSource("[{{ data.constructor }}][{{ data.__proto__ }}][{{ data.toString }}]", "text", "f");
    const r = renderStrict(tpl, "text", { data: { a: 1 } }, "f");
    expect(r).toEqual({ ok: false, missing: ["data.constructor", "data.__proto__", "data.toString"] });
  });
});
