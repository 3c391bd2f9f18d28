// `npm run bench:templates`: renders of one published template for BENCH_TEMPLATE_CONTACTS (10,000) generated
// contacts, in process, through the code sends use (compiled once per version, strict Liquid, locale
// fallback). Target ≥ 20,000 renders/s. The ceiling, measured in the same run, is a plain
// string-replace of the same text: no parsing, escaping or filters, so no engine can beat it.
// The contacts engineer's `bench:contacts` can call runTemplateBench() as a section.
import { randomBytes, randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { TemplateContent } from "@/db/schema/templates";

process.env.HERALD_MASTER_KEY ??= randomBytes(32).toString("base64");

const CONTACTS = Number(process.env.BENCH_TEMPLATE_CONTACTS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const sms = "Hi {{ contact.first_name }}, {{ data.team }} plays {{ data.opponent }} on {{ data.date }} at {{ data.venue }}. Reply STOP to opt out.";
const html =
  "<h1>Hi {{ contact.first_name }}</h1><p>{{ data.team }} plays <strong>{{ data.opponent }}</strong> on {{ data.date }} at {{ data.venue }}.</p>" +
  "{% if contact.attributes.vip %}<p>Your VIP seat is reserved.</p>{% endif %}<p>— {{ tenant.name }}</p>";
const text = "Hi {{ contact.first_name }}, {{ data.team }} plays {{ data.opponent }} on {{ data.date }} at {{ data.venue }}. — {{ tenant.name }}";

const content: TemplateContent = {
  default_locale: "en",
  locales: {
    en: { sms: { body: sms }, email: { subject: "{{ data.team }} vs {{ data.opponent }}", html, text } },
    sv: { sms: { body: "Hej {{ contact.first_name }}, {{ data.team }} möter {{ data.opponent }} {{ data.date }} på {{ data.venue }}." } },
  },
};
const noTextContent: TemplateContent = { default_locale: "en", locales: { en: { email: { subject: "{{ data.team }}", html } } } };

const firstNames = ["Ada", "Sven", "Åsa", "Mehmet", "Zeynep", "Liam", "Noor", "Élodie"];
function contacts(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    id: randomUUID(),
    first_name: `${firstNames[i % firstNames.length]}${i}`,
    locale: i % 3 === 0 ? "sv-SE" : "en-GB",
    attributes: { vip: i % 10 === 0 },
  }));
}

/** The ceiling: the same SMS text with {{ a.b }} looked up and replaced, nothing else. */
function plainReplace(src: string, scope: Record<string, unknown>): string {
  return src.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, path: string) => {
    let v: unknown = scope;
    for (const k of path.split(".")) v = (v as Record<string, unknown> | undefined)?.[k];
    return v === undefined || v === null ? "" : String(v);
  });
}

function rate(n: number, ms: number) {
  return Math.round((n / ms) * 1000);
}

export async function runTemplateBench(n = CONTACTS, rounds = ROUNDS) {
  const { renderContent } = await import("@/lib/templates/render");
  const people = contacts(n);
  const tenant = { id: randomUUID(), slug: "bench", name: "Bench FC" };
  const data = { team: "U12 Blue", opponent: "Hammarby", date: "2026-12-05", venue: "Zinkensdamm" };
  const versionId = randomUUID();
  const best = (fn: () => void) => {
    let ms = Infinity;
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      fn();
      ms = Math.min(ms, performance.now() - t0);
    }
    return ms;
  };
  const run = (channel: "sms" | "email", c: TemplateContent, key: string) =>
    best(() => {
      for (const p of people) {
        const r = renderContent(c, channel, [p.locale], { contact: p, tenant, data, event: null }, key);
        if (!r.ok) throw new Error(`missing ${r.missing.join(",")}`);
      }
    });
  const ceiling = best(() => {
    for (const p of people) plainReplace(sms, { contact: p, tenant, data });
  });
  const smsMs = run("sms", content, versionId);
  const emailMs = run("email", content, versionId);
  const generatedTextMs = run("email", noTextContent, `${versionId}-notext`);
  return [
    { what: "plain string replace (ceiling), SMS text", renders: n, ms: ceiling, perSecond: rate(n, ceiling) },
    { what: "Liquid SMS, locale fallback", renders: n, ms: smsMs, perSecond: rate(n, smsMs) },
    { what: "Liquid email (subject + escaped HTML + text)", renders: n, ms: emailMs, perSecond: rate(n, emailMs) },
    { what: "Liquid email, text generated from HTML", renders: n, ms: generatedTextMs, perSecond: rate(n, generatedTextMs) },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await runTemplateBench();
  console.log(`bench:templates — ${CONTACTS} contacts, best of ${ROUNDS} rounds, one process (target ≥ 20,000 renders/s)`);
  for (const r of rows) console.log(`${r.what.padEnd(48)} ${String(r.perSecond).padStart(9)} renders/s  (${r.ms.toFixed(0)} ms)`);
}
