import { describe, expect, it } from "vitest";
import { createTwilioClient } from "@/lib/providers/twilio/transport";
import { startSimulator, type Simulator } from "./server";
import { useSimulator } from "./test-helpers";
import type { ElksAccount } from "./providers/elks";
import type { SendgridAccount } from "./providers/sendgrid";
import type { TwilioAccount } from "./providers/twilio";
import type { WhatsappAccount } from "./providers/whatsapp";

const env = useSimulator();

const sgMail = { personalizations: [{ to: [{ email: "ada@example.com" }] }], from: { email: "n@herald.test" }, subject: "s", content: [{ type: "text/plain", value: "x" }] };

function sendgridSend(sim: Simulator, acct: SendgridAccount, to = "ada@example.com") {
  return fetch(`${sim.url}/v3/mail/send`, {
    method: "POST",
    headers: { authorization: `Bearer ${acct.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ ...sgMail, personalizations: [{ to: [{ email: to }] }] }),
  });
}

function elksSend(acct: ElksAccount, to: string) {
  return fetch(`${env.sim.url}/a1/sms`, {
    method: "POST",
    headers: { authorization: `Basic ${Buffer.from(`${acct.username}:${acct.password}`).toString("base64")}` },
    body: new URLSearchParams({ from: "Herald", to, message: "x" }),
  });
}

describe("failure injection", () => {
  it("rate_limit answers 429 with Retry-After and the provider's body", async () => {
    const acct = env.sim.createAccount({ provider: "sendgrid" }) as SendgridAccount;
    env.sim.addFailureRule({ provider: "sendgrid", accountId: acct.id, mode: "rate_limit", retryAfterSeconds: 7 });
    const res = await sendgridSend(env.sim, acct);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
    expect(res.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(await res.json()).toEqual({ errors: [{ field: null, message: "too many requests", help: null }] });

    const tw = env.sim.createAccount({ provider: "twilio" }) as TwilioAccount;
    env.sim.addFailureRule({ provider: "twilio", accountId: tw.id, mode: "rate_limit" });
    const client = createTwilioClient({ accountSid: tw.accountSid, authToken: tw.authToken, apiBaseUrl: env.sim.url });
    await expect(client.messages.create({ to: "+46701740605", from: "+15005550006", body: "x" })).rejects.toMatchObject({ status: 429, code: 20429 });
  });

  it("server_error answers the chosen 5xx", async () => {
    const acct = env.sim.createAccount({ provider: "sendgrid" }) as SendgridAccount;
    env.sim.addFailureRule({ provider: "sendgrid", accountId: acct.id, mode: "server_error", status: 502 });
    expect((await sendgridSend(env.sim, acct)).status).toBe(502);
  });

  it("timeout holds the connection, then destroys it; the request is recorded without a status", async () => {
    const acct = env.sim.createAccount({ provider: "sendgrid" }) as SendgridAccount;
    const rule = env.sim.addFailureRule({ accountId: acct.id, mode: "timeout", holdMs: 150 });
    const started = Date.now();
    await expect(sendgridSend(env.sim, acct)).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(env.sim.listRequests({ accountId: acct.id })[0]).toMatchObject({ status: null, failureRuleId: rule.id });
  });

  it("auth_error answers the provider's 401 even with valid credentials", async () => {
    const acct = env.sim.createAccount({ provider: "whatsapp" }) as WhatsappAccount;
    env.sim.addFailureRule({ provider: "whatsapp", accountId: acct.id, mode: "auth_error" });
    const res = await fetch(`${env.sim.url}/v18.0/${acct.phoneNumberId}/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${acct.accessToken}`, "content-type": "application/json" },
      body: JSON.stringify({ messaging_product: "whatsapp", to: "46701740605", type: "text", text: { body: "x" } }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 190 } });
  });

  it("invalid_recipient matches exact or prefix recipients only", async () => {
    const acct = env.sim.createAccount({ provider: "elks" }) as ElksAccount;
    env.sim.addFailureRule({ provider: "elks", accountId: acct.id, recipientPrefix: "+4670999", mode: "invalid_recipient" });
    const bad = await elksSend(acct, "+46709990001");
    expect(bad.status).toBe(400);
    expect(await bad.text()).toBe("Invalid to number");
    expect((await elksSend(acct, "+46701110001")).status).toBe(200);
  });

  it("count fails the next N requests, then the rule retires", async () => {
    const acct = env.sim.createAccount({ provider: "sendgrid" }) as SendgridAccount;
    const rule = env.sim.addFailureRule({ accountId: acct.id, mode: "server_error", count: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await sendgridSend(env.sim, acct)).status);
    expect(statuses).toEqual([500, 500, 202]);
    expect(env.sim.listFailureRules().some((r) => r.id === rule.id)).toBe(false);
  });

  it("rate draws from a seeded PRNG, so a seed replays the same failures", async () => {
    const run = async (seed: number) => {
      const sim = await startSimulator({ seed, autoDelivery: false });
      try {
        sim.addFailureRule({ provider: "sendgrid", mode: "server_error", rate: 0.5 });
        const out: number[] = [];
        for (let i = 0; i < 16; i += 1) out.push((await sendgridSend(sim, sim.defaultAccounts.sendgrid)).status);
        return out;
      } finally {
        await sim.close();
      }
    };
    const a = await run(42);
    expect(await run(42)).toEqual(a);
    expect(a).toContain(500);
    expect(a).toContain(202);
  });

  it("scopes rules to their account and provider", async () => {
    const a = env.sim.createAccount({ provider: "sendgrid" }) as SendgridAccount;
    const b = env.sim.createAccount({ provider: "sendgrid" }) as SendgridAccount;
    env.sim.addFailureRule({ accountId: a.id, mode: "server_error" });
    env.sim.addFailureRule({ provider: "mailgun", mode: "server_error" });
    expect((await sendgridSend(env.sim, a)).status).toBe(500);
    expect((await sendgridSend(env.sim, b)).status).toBe(202);
  });

  it("keeps history in a bounded ring buffer", async () => {
    const sim = await startSimulator({ maxRecords: 3, autoDelivery: false });
    try {
      for (let i = 0; i < 5; i += 1) await sendgridSend(sim, sim.defaultAccounts.sendgrid, `u${i}@example.com`);
      expect(sim.listRequests().map((r) => r.recipients[0])).toEqual(["u2@example.com", "u3@example.com", "u4@example.com"]);
      expect(sim.listMessages()).toHaveLength(3);
    } finally {
      await sim.close();
    }
  });
});
