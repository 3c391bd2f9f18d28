import { afterAll, describe, expect, it } from "vitest";
import { closeDb } from "@/db";
import { transitionConfig } from "@/lib/providers/config-lifecycle";
import { makeContext } from "@/lib/test/factories";
import { makeConfig } from "@/lib/test/provider-configs";
import { createRoutingRule, previewRoute, updateRoutingRuleById } from "./routing-rules";
import { resolveRoute } from "./routing";

afterAll(async () => {
  await closeDb();
});

const ids = (hops: { configId: string }[]) => hops.map((h) => h.configId);

describe("default routes (no rules)", () => {
  it("email: SendGrid, then Mailgun; paused configs are skipped", async () => {
    const ctx = await makeContext("owner");
    const mg = await makeConfig(ctx, "mailgun");
    const sg = await makeConfig(ctx, "sendgrid");
    const paused = await makeConfig(ctx, "sendgrid", { status: "paused" });
    const hops = await resolveRoute(ctx.tenantId, "email", "ada@example.com");
    expect(ids(hops)).toEqual([sg.id, mg.id]);
    expect(ids(hops)).not.toContain(paused.id);
    expect(hops.map((h) => h.provider)).toEqual(["sendgrid", "mailgun"]);
  });

  it("sms: 46elks for its country then Twilio; Twilio for its countries then Infobip otherwise", async () => {
    const ctx = await makeContext("owner");
    const elks = await makeConfig(ctx, "elks");
    const twilio = await makeConfig(ctx, "twilio", { overrides: { supported_countries: ["SE", "US", "CA"] } });
    const infobip = await makeConfig(ctx, "infobip");
    expect(ids(await resolveRoute(ctx.tenantId, "sms", "+46701234567"))).toEqual([elks.id, twilio.id]);
    expect(ids(await resolveRoute(ctx.tenantId, "sms", "+14165550123"))).toEqual([twilio.id, infobip.id]);
    // Germany is not in Twilio's list: Infobip only.
    expect(ids(await resolveRoute(ctx.tenantId, "sms", "+4915112345678"))).toEqual([infobip.id]);
  });

  it("sms: a Twilio config with no supported countries takes any country; 46elks follows its default_country_code", async () => {
    const ctx = await makeContext("owner");
    const elksNo = await makeConfig(ctx, "elks", { overrides: { default_country_code: "+47" } });
    const twilio = await makeConfig(ctx, "twilio");
    expect(ids(await resolveRoute(ctx.tenantId, "sms", "+4791234567"))).toEqual([elksNo.id, twilio.id]);
    expect(ids(await resolveRoute(ctx.tenantId, "sms", "+46701234567"))).toEqual([twilio.id]);
  });

  it("push: FCM for tokens and topics, OneSignal for player ids; WhatsApp → its configs", async () => {
    const ctx = await makeContext("owner");
    const fcm = await makeConfig(ctx, "fcm");
    const os = await makeConfig(ctx, "onesignal");
    const wa = await makeConfig(ctx, "whatsapp");
    const both = { deviceToken: true, playerId: true, topic: false };
    expect(ids(await resolveRoute(ctx.tenantId, "push", "tok", { pushTarget: { deviceToken: true, playerId: false, topic: false } }))).toEqual([fcm.id]);
    expect(ids(await resolveRoute(ctx.tenantId, "push", "x", { pushTarget: { deviceToken: false, playerId: true, topic: false } }))).toEqual([os.id]);
    expect(ids(await resolveRoute(ctx.tenantId, "push", "x", { pushTarget: both }))).toEqual([fcm.id, os.id]);
    expect(ids(await resolveRoute(ctx.tenantId, "whatsapp", "+46701234567"))).toEqual([wa.id]);
  });

  it("no active config → empty chain", async () => {
    const ctx = await makeContext("owner");
    await makeConfig(ctx, "sendgrid", { status: "draft" });
    expect(await resolveRoute(ctx.tenantId, "email", "a@b.se")).toEqual([]);
  });
});

describe("routing rules", () => {
  it("match in position order with their own chains; a rule whose configs are all inactive falls through", async () => {
    const ctx = await makeContext("owner");
    const elks = await makeConfig(ctx, "elks");
    const twilio = await makeConfig(ctx, "twilio");
    const infobip = await makeConfig(ctx, "infobip");
    const sweden = await createRoutingRule(ctx, { channel: "sms", name: "Sweden", match: { number_prefixes: ["+46"] }, chain: [elks.id, twilio.id], enabled: true });
    await createRoutingRule(ctx, { channel: "sms", name: "Everything else", match: {}, chain: [twilio.id, infobip.id], enabled: true });
    expect(ids(await resolveRoute(ctx.tenantId, "sms", "+46701234567"))).toEqual([elks.id, twilio.id]);
    expect(ids(await resolveRoute(ctx.tenantId, "sms", "+4915112345678"))).toEqual([twilio.id, infobip.id]);

    // A rule inserted at position 0 wins.
    const germany = await createRoutingRule(ctx, { channel: "sms", name: "Germany", match: { country_codes: ["DE"] }, chain: [infobip.id], enabled: true, position: 0 });
    expect(germany.position).toBe(0);
    expect(ids(await resolveRoute(ctx.tenantId, "sms", "+4915112345678"))).toEqual([infobip.id]);

    // Pausing elks: the Swedish rule still has Twilio.
    await transitionConfig(ctx, elks.id, "paused");
    expect(ids(await resolveRoute(ctx.tenantId, "sms", "+46701234567"))).toEqual([twilio.id]);
    // Disabled rules are ignored.
    await updateRoutingRuleById(ctx, sweden.id, { enabled: false });
    expect(ids(await resolveRoute(ctx.tenantId, "sms", "+46701234567"))).toEqual([twilio.id, infobip.id]);

    const preview = await previewRoute(ctx, { channel: "sms", to: "+4915112345678" });
    expect(preview).toMatchObject({ source: "rule", rule: { name: "Germany" }, recipient: { country: "DE", calling_code: "+49" } });
    expect(preview.chain.map((h) => h.config_id)).toEqual([infobip.id]);
  });

  it("rules for one channel leave the other channels on defaults; no matching rule → no route", async () => {
    const ctx = await makeContext("owner");
    const sg = await makeConfig(ctx, "sendgrid");
    const mg = await makeConfig(ctx, "mailgun");
    const elks = await makeConfig(ctx, "elks");
    await createRoutingRule(ctx, { channel: "email", name: "Corporate", match: { email_domains: ["*.corp.example"] }, chain: [mg.id], enabled: true });
    expect(ids(await resolveRoute(ctx.tenantId, "email", "a@mail.corp.example"))).toEqual([mg.id]);
    expect(ids(await resolveRoute(ctx.tenantId, "email", "a@corp.example"))).toEqual([mg.id]);
    expect(await resolveRoute(ctx.tenantId, "email", "a@other.example")).toEqual([]);
    expect(ids(await resolveRoute(ctx.tenantId, "sms", "+46701234567"))).toEqual([elks.id]);
    const preview = await previewRoute(ctx, { channel: "email", to: "a@other.example" });
    expect(preview.source).toBe("none");
    expect(sg.id).toBeTruthy();
  });

  it("refuses chains with configs of another channel, another tenant, or match kinds of another channel", async () => {
    const ctx = await makeContext("owner");
    const other = await makeContext("owner");
    const sg = await makeConfig(ctx, "sendgrid");
    const foreign = await makeConfig(other, "elks");
    await expect(createRoutingRule(ctx, { channel: "sms", name: "x", match: {}, chain: [sg.id], enabled: true })).rejects.toMatchObject({
      status: 422,
      details: [{ path: "chain[0]" }],
    });
    await expect(createRoutingRule(ctx, { channel: "sms", name: "x", match: {}, chain: [foreign.id], enabled: true })).rejects.toMatchObject({
      status: 422,
      details: [{ path: "chain[0]", message: "No such provider config in this tenant" }],
    });
    await expect(
      createRoutingRule(ctx, { channel: "email", name: "x", match: { country_codes: ["SE"] }, chain: [sg.id], enabled: true }),
    ).rejects.toMatchObject({ status: 422, details: [{ path: "match.country_codes" }] });
  });
});
