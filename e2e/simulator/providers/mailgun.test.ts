import { createHmac, timingSafeEqual } from "node:crypto";
import { describe, expect, it } from "vitest";
import { useSimulator } from "../test-helpers";
import type { MailgunAccount } from "./mailgun";

const env = useSimulator();

function newAccount(): MailgunAccount {
  return env.sim.createAccount({ provider: "mailgun", webhookUrl: `${env.receiver.url}/mg/${Math.random()}` }) as MailgunAccount;
}

function send(acct: MailgunAccount, fields: [string, string][], opts: { key?: string; domain?: string } = {}) {
  const form = new FormData();
  for (const [k, v] of fields) form.append(k, v);
  const auth = Buffer.from(`api:${opts.key ?? acct.apiKey}`).toString("base64");
  return fetch(`${env.sim.url}/v3/${opts.domain ?? acct.domain}/messages`, {
    method: "POST",
    headers: { authorization: `Basic ${auth}` },
    body: form,
  });
}

const base: [string, string][] = [
  ["from", "Herald <noreply@herald.test>"],
  ["to", "Ada <ada@example.com>, bob@example.com"],
  ["subject", "Hi"],
  ["text", "Hello"],
  ["o:tag", "welcome"],
  ["v:idempotency_key", "att_9"],
];

/** Independent check, as Mailgun documents it. */
function verifyMailgun(key: string, sig: { timestamp: string; token: string; signature: string }) {
  const expected = createHmac("sha256", key).update(sig.timestamp + sig.token).digest();
  const given = Buffer.from(sig.signature, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe("mailgun", () => {
  it("queues a multipart message and posts one signed delivered event per recipient", async () => {
    const acct = newAccount();
    const res = await send(acct, base);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { id: string; message: string };
    expect(body.message).toBe("Queued. Thank you.");
    expect(body.id).toMatch(new RegExp(`^<\\d{14}\\.[0-9a-f]+@${acct.domain.replace(/\./g, "\\.")}>$`));

    const hooks = await env.receiver.waitFor(2, new URL(acct.webhookUrl!).pathname);
    for (const hook of hooks) {
      const payload = JSON.parse(hook.body) as { signature: { timestamp: string; token: string; signature: string }; "event-data": Record<string, unknown> };
      expect(verifyMailgun(acct.webhookSigningKey, payload.signature)).toBe(true);
      expect(verifyMailgun("other-key", payload.signature)).toBe(false);
      expect(payload["event-data"]).toMatchObject({
        event: "delivered",
        tags: ["welcome"],
        "user-variables": { idempotency_key: "att_9" },
        message: { headers: { "message-id": body.id.slice(1, -1) } },
      });
    }
    expect(hooks.map((h) => (JSON.parse(h.body) as { "event-data": { recipient: string } })["event-data"].recipient).sort()).toEqual(["ada@example.com", "bob@example.com"]);
    expect(env.sim.listRequests({ accountId: acct.id })[0]).toMatchObject({ idempotencyRef: "att_9", recipients: ["ada@example.com", "bob@example.com"] });
  });

  it("answers 401 Forbidden, 404 for a foreign domain and 400 for missing fields", async () => {
    const acct = newAccount();
    const denied = await send(acct, base, { key: "key-wrong" });
    expect(denied.status).toBe(401);
    expect(await denied.text()).toBe("Forbidden");
    const foreign = await send(acct, base, { domain: "elsewhere.test" });
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toEqual({ message: "Domain not found" });
    const missing = await send(acct, base.filter(([k]) => k !== "to"));
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ message: "to parameter is missing" });
  });

  it("maps triggered bounces to failed events with severity", async () => {
    const acct = newAccount();
    env.sim.updateAccount(acct.id, { autoDelivery: false });
    const { id } = (await (await send(acct, base)).json()) as { id: string };
    const [hard] = await env.sim.triggerEvent({ messageId: id, event: "bounce", bounceType: "hard", recipient: "ada@example.com" });
    const [soft] = await env.sim.triggerEvent({ messageId: id, event: "bounce", bounceType: "soft", recipient: "ada@example.com" });
    const [click] = await env.sim.triggerEvent({ messageId: id, event: "click", url: "https://x.test", recipient: "bob@example.com" });
    const data = (d: typeof hard) => (JSON.parse(d!.body) as { "event-data": Record<string, unknown> })["event-data"];
    expect(data(hard)).toMatchObject({ event: "failed", severity: "permanent", "delivery-status": { code: 550 } });
    expect(data(soft)).toMatchObject({ event: "failed", severity: "temporary" });
    expect(data(click)).toMatchObject({ event: "clicked", url: "https://x.test", recipient: "bob@example.com" });
  });
});
