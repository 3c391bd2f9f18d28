// A marketing email by template through the real delivery workflow to the simulator (SendGrid and
// Mailgun), carrying RFC 8058 headers; the recorded one-click URL unsubscribes the contact.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { POST as sendPost } from "@/app/api/v1/messages/route";
import { GET as landingGet, POST as landingPost } from "@/app/u/[token]/route";
import { startSimulator, type Simulator } from "@/e2e/simulator";
import { workflows } from "@/inngest/workflows";
import { createApiKey } from "@/lib/auth/api-keys";
import { createContact, getContactSubscriptions } from "@/lib/contacts";
import { startJobEngine, stopJobEngine } from "@/lib/jobs/job-engine";
import { makeSimConfig } from "@/lib/test/delivery";
import { makeContext, waitFor } from "@/lib/test/factories";
import { params, request } from "@/lib/test/http";
import { createTemplate, publishTemplate } from "./templates";

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, webhookDelayMs: 5, seed: 3 });
  await startJobEngine({ workflows, runWorkers: true });
});
afterAll(async () => {
  await stopJobEngine();
  await sim?.close();
  await closeDb();
});

const newsletter = {
  key: "newsletter",
  name: "Newsletter",
  category: "marketing" as const,
  content: {
    default_locale: "en",
    locales: {
      en: { email: { subject: "News for {{ data.name }}", html: "<p>Hello {{ data.name }}</p><p><a href=\"{{ unsubscribe_url }}\">Unsubscribe</a></p>" } },
    },
  },
};

function tokenFrom(header: string): string {
  const m = /^<https?:\/\/[^>]+\/u\/([^>]+)>$/.exec(header);
  if (!m) throw new Error(`not a one-click header: ${header}`);
  return m[1]!;
}

describe("one-click unsubscribe", () => {
  it.each(["sendgrid", "mailgun"] as const)("%s receives List-Unsubscribe headers; POST to the URL unsubscribes the contact from marketing", async (provider) => {
    const ctx = await makeContext("owner");
    const { key } = await createApiKey(ctx, { name: "t", scopes: ["messages:send", "messages:read"] });
    const { account } = await makeSimConfig(ctx, sim, provider);
    await createTemplate(ctx, newsletter);
    await publishTemplate(ctx, "newsletter", {});
    const contact = await createContact(ctx, { email: "ada@example.com", name: "Ada Lovelace" } as never);

    const res = await sendPost(
      request("/api/v1/messages", { method: "POST", key, body: { channel: "email", to: [{ email: "ada@example.com" }], template: "newsletter", data: { name: "Ada" } } }),
      params({}),
    );
    expect(res.status, await res.clone().text()).toBe(202);
    const sent = await waitFor(async () => sim.listMessages({ accountId: account.id })[0], 20_000);
    const headers = sent.meta.headers as Record<string, string>;
    expect(headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    const token = tokenFrom(headers["List-Unsubscribe"]!);
    if (provider === "mailgun") expect(sent.meta.html).toContain(`/u/${token}`);
    else expect(JSON.stringify(sent.meta.content)).toContain(`/u/${token}`);

    // GET only asks (link scanners prefetch); nothing changes until the POST.
    const page = await landingGet(request(`/u/${token}`), params({ token }));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("ada@example.com");
    expect(html).toMatch(/<form method="post"[^>]*>[\s\S]*<button type="submit">Unsubscribe<\/button>/);
    expect(await getContactSubscriptions({ tenantId: ctx.tenantId, contactId: contact.id })).toEqual([]);

    // The mail client's one-click POST (RFC 8058 body), twice: idempotent.
    for (let i = 0; i < 2; i++) {
      const done = await landingPost(
        request(`/u/${token}`, { method: "POST", rawBody: "List-Unsubscribe=One-Click", headers: { "content-type": "application/x-www-form-urlencoded" } }),
        params({ token }),
      );
      expect(done.status).toBe(200);
    }
    expect(await getContactSubscriptions({ tenantId: ctx.tenantId, contactId: contact.id })).toMatchObject([
      { channel: "email", topic: "marketing", status: "unsubscribed", source: "one_click" },
    ]);
    const [audit] = await getDb().$client`select count(*)::int as n from audit_log where tenant_id = ${ctx.tenantId} and action = 'contact.subscription_changed'`;
    expect(audit!.n).toBeGreaterThanOrEqual(1);
  });

  it("done when: a send by external_id + template reaches the simulator rendered and localised, linked to the contact; after the one-click POST the next marketing send answers COMM_UNSUBSCRIBED", async () => {
    const ctx = await makeContext("owner");
    const { key } = await createApiKey(ctx, { name: "t", scopes: ["messages:send", "messages:read"] });
    const { account } = await makeSimConfig(ctx, sim, "sendgrid");
    await createTemplate(ctx, {
      ...newsletter,
      content: {
        default_locale: "en",
        locales: {
          ...newsletter.content.locales,
          sv: { email: { subject: "Nyheter för {{ contact.first_name }}", html: "<p>Hej {{ contact.first_name }}, {{ data.news }}</p>" } },
        },
      },
    });
    await publishTemplate(ctx, "newsletter", {});
    await createTemplate(ctx, { key: "receipt", name: "Receipt", content: { default_locale: "en", locales: { en: { email: { subject: "Receipt {{ data.n }}", text: "Thanks {{ contact.first_name }}" } } } } });
    await publishTemplate(ctx, "receipt", {});
    const contact = await createContact(ctx, { external_id: "player-17", email: "sven@example.com", name: "Sven Svensson", locale: "sv-SE" } as never);

    const send = async (body: Record<string, unknown>) => {
      const res = await sendPost(request("/api/v1/messages", { method: "POST", key, body }), params({}));
      return { status: res.status, json: (await res.json()) as Record<string, any> };
    };
    const first = await send({ channel: "email", external_id: "player-17", template: "newsletter", data: { news: "ny säsong" } });
    expect(first.status, JSON.stringify(first.json)).toBe(202);
    const [row] = await getDb().$client`select contact_id, template_id, template_version, recipient from messages where id = ${first.json.id}`;
    expect(row).toMatchObject({ contact_id: contact.id, template_id: "newsletter", template_version: 1, recipient: "sven@example.com" });

    const sent = await waitFor(async () => sim.listMessages({ accountId: account.id })[0], 20_000);
    expect(sent.recipients).toEqual(["sven@example.com"]);
    expect(sent.meta.subject).toBe("Nyheter för Sven");
    expect(JSON.stringify(sent.meta.content)).toContain("Hej Sven, ny säsong");
    const token = tokenFrom((sent.meta.headers as Record<string, string>)["List-Unsubscribe"]!);

    const done = await landingPost(request(`/u/${token}`, { method: "POST", rawBody: "List-Unsubscribe=One-Click" }), params({ token }));
    expect(done.status).toBe(200);

    const next = await send({ channel: "email", external_id: "player-17", template: "newsletter", data: { news: "igen" } });
    expect(next.status).toBe(422);
    expect(next.json.error.code).toBe("COMM_UNSUBSCRIBED");
    // Only marketing: a transactional template still reaches the contact.
    const receipt = await send({ channel: "email", external_id: "player-17", template: "receipt", data: { n: 1 } });
    expect(receipt.status, JSON.stringify(receipt.json)).toBe(202);
  });

  it("a forged or altered token changes nothing (404)", async () => {
    const ctx = await makeContext("owner");
    await createContact(ctx, { email: "bo@example.com" } as never);
    const { signUnsubscribeToken } = await import("@/lib/unsubscribe/token");
    const good = signUnsubscribeToken({ tenantId: ctx.tenantId, contactId: null, address: "bo@example.com", channel: "email", topic: "marketing" });
    const [v, body, sig] = good.split(".");
    const forged = `${v}.${Buffer.from(JSON.stringify([ctx.tenantId, "", "someone@else.com", "email", "marketing", 1])).toString("base64url")}.${sig}`;
    for (const token of [forged, `${v}.${body}.AAAA${sig!.slice(4)}`, "garbage"]) {
      const res = await landingPost(request(`/u/${token}`, { method: "POST", rawBody: "List-Unsubscribe=One-Click" }), params({ token }));
      expect(res.status).toBe(404);
    }
    const [row] = await getDb().$client`select count(*)::int as n from contact_subscriptions where tenant_id = ${ctx.tenantId}`;
    expect(row!.n).toBe(0);
  });
});
