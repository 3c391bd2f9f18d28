import { EventWebhook, EventWebhookHeader } from "@sendgrid/eventwebhook";
import { describe, expect, it } from "vitest";
import { createSendgridMailService } from "@/lib/providers/sendgrid/transport";
import { useSimulator } from "../test-helpers";
import type { SendgridAccount } from "./sendgrid";

const env = useSimulator();

async function account(): Promise<SendgridAccount> {
  const created = env.sim.createAccount({ provider: "sendgrid", webhookUrl: `${env.receiver.url}/sg/${Math.random()}` });
  return created as SendgridAccount;
}

const mail = (to: string) => ({
  to,
  from: "noreply@herald.test",
  subject: "Hello",
  text: "Hi there",
  categories: ["welcome"],
  customArgs: { idempotency_key: "att_123", tenant: "t1" },
});

function verify(acct: SendgridAccount, headers: Record<string, unknown>, body: string): boolean {
  const ew = new EventWebhook();
  return ew.verifySignature(
    ew.convertPublicKeyToECDSA(acct.publicKey),
    body,
    String(headers[EventWebhookHeader.SIGNATURE().toLowerCase()]),
    String(headers[EventWebhookHeader.TIMESTAMP().toLowerCase()]),
  );
}

describe("sendgrid", () => {
  it("accepts mail through the real SDK and posts signed processed+delivered events", async () => {
    const acct = await account();
    const sg = createSendgridMailService({ apiKey: acct.apiKey, apiBaseUrl: env.sim.url });
    const [res] = await sg.send(mail("ada@example.com"));
    expect(res.statusCode).toBe(202);
    const messageId = String(res.headers["x-message-id"]);
    expect(messageId).toMatch(/^[\w-]{22}$/);
    expect(res.headers["x-ratelimit-limit"]).toBe("600");

    const path = new URL(acct.webhookUrl!).pathname;
    const [hook] = await env.receiver.waitFor(1, path);
    expect(hook!.body.endsWith("]\r\n")).toBe(true);
    expect(verify(acct, hook!.headers, hook!.body)).toBe(true);
    expect(verify(acct, hook!.headers, hook!.body.replace("ada", "bob"))).toBe(false);

    const events = JSON.parse(hook!.body) as Record<string, unknown>[];
    expect(events.map((e) => e.event)).toEqual(["processed", "delivered"]);
    expect(events[0]).toMatchObject({
      email: "ada@example.com",
      category: ["welcome"],
      idempotency_key: "att_123",
      tenant: "t1",
    });
    expect(String(events[0]!.sg_message_id).startsWith(`${messageId}.`)).toBe(true);
    expect(events[0]!.sg_event_id).not.toEqual(events[1]!.sg_event_id);

    const [recorded] = env.sim.listRequests({ accountId: acct.id });
    expect(recorded).toMatchObject({ status: 202, idempotencyRef: "att_123", messageIds: [messageId] });
  });

  it("rejects a wrong API key with SendGrid's 401 body", async () => {
    const sg = createSendgridMailService({ apiKey: "SG.wrong.key", apiBaseUrl: env.sim.url });
    const error = await sg.send(mail("ada@example.com")).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 401 });
    expect((error as { response: { body: unknown } }).response.body).toEqual({
      errors: [{ message: expect.stringContaining("authorization grant"), field: null, help: null }],
    });
  });

  it("answers sandbox mode with 200 and sends no events", async () => {
    const acct = await account();
    const sg = createSendgridMailService({ apiKey: acct.apiKey, apiBaseUrl: env.sim.url });
    const [res] = await sg.send({ ...mail("ada@example.com"), mailSettings: { sandboxMode: { enable: true } } });
    expect(res.statusCode).toBe(200);
    await env.sim.flush();
    expect(env.sim.listWebhookDeliveries({ accountId: acct.id })).toHaveLength(0);
  });

  it("returns 400 errors with field for a bad body", async () => {
    const acct = await account();
    const res = await fetch(`${env.sim.url}/v3/mail/send`, {
      method: "POST",
      headers: { authorization: `Bearer ${acct.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ personalizations: [{ to: [{ email: "not-an-email" }] }], from: { email: "a@b.co" }, subject: "s", content: [{ type: "text/plain", value: "x" }] }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      errors: [{ message: "Does not contain a valid address.", field: "personalizations.0.to.0.email", help: null }],
    });
  });

  it("triggers engagement events with their provider fields", async () => {
    const acct = await account();
    env.sim.updateAccount(acct.id, { autoDelivery: false });
    const sg = createSendgridMailService({ apiKey: acct.apiKey, apiBaseUrl: env.sim.url });
    const [res] = await sg.send(mail("eve@example.com"));
    const messageId = String(res.headers["x-message-id"]);
    const [click] = await env.sim.triggerEvent({ messageId, event: "click", url: "https://herald.test/x" });
    const [bounce] = await env.sim.triggerEvent({ messageId, event: "bounce", bounceType: "block" });
    expect(click!.status).toBe(200);
    expect(JSON.parse(click!.body)).toMatchObject([{ event: "click", url: "https://herald.test/x" }]);
    expect(JSON.parse(bounce!.body)).toMatchObject([{ event: "bounce", type: "blocked" }]);
    expect(verify(acct, lower(bounce!.headers), bounce!.body)).toBe(true);
  });
});

const lower = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
