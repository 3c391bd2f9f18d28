import twilio from "twilio";
import { describe, expect, it } from "vitest";
import { createTwilioClient } from "@/lib/providers/twilio/transport";
import { useSimulator } from "../test-helpers";
import type { TwilioAccount } from "./twilio";

const env = useSimulator();

const newAccount = () => env.sim.createAccount({ provider: "twilio" }) as TwilioAccount;
const params = (body: string) => Object.fromEntries(new URLSearchParams(body));

describe("twilio", () => {
  it("creates a message through the real SDK and posts signed status callbacks", async () => {
    const acct = newAccount();
    const client = createTwilioClient({ accountSid: acct.accountSid, authToken: acct.authToken, apiBaseUrl: env.sim.url });
    const callback = `${env.receiver.url}/twilio/status?cfg=abc`;
    const message = await client.messages.create({
      to: "+46701234567",
      from: "+15005550006",
      body: "Hello €uro",
      statusCallback: callback,
    });
    expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(message.status).toBe("queued");
    expect(message.numSegments).toBe("1");
    expect(message.accountSid).toBe(acct.accountSid);

    const hooks = await env.receiver.waitFor(2, "/twilio/status");
    expect(hooks.map((h) => params(h.body).MessageStatus)).toEqual(["sent", "delivered"]);
    for (const hook of hooks) {
      const signature = String(hook.headers["x-twilio-signature"]);
      expect(twilio.validateRequest(acct.authToken, signature, callback, params(hook.body))).toBe(true);
      expect(twilio.validateRequest("wrong-token", signature, callback, params(hook.body))).toBe(false);
      expect(params(hook.body)).toMatchObject({ MessageSid: message.sid, SmsSid: message.sid, AccountSid: acct.accountSid, To: "+46701234567", ApiVersion: "2010-04-01" });
    }
  });

  it("reports failed/undelivered with an ErrorCode", async () => {
    const acct = newAccount();
    const client = createTwilioClient({ accountSid: acct.accountSid, authToken: acct.authToken, apiBaseUrl: env.sim.url });
    env.sim.updateAccount(acct.id, { autoDelivery: false });
    const callback = `${env.receiver.url}/twilio/failed`;
    const message = await client.messages.create({ to: "+46701234568", from: "+15005550006", body: "x", statusCallback: callback });
    const [delivery] = await env.sim.triggerEvent({ messageId: message.sid, event: "undelivered" });
    expect(params(delivery!.body)).toMatchObject({ MessageStatus: "undelivered", ErrorCode: "30003" });
    expect(twilio.validateRequest(acct.authToken, delivery!.headers["X-Twilio-Signature"]!, callback, params(delivery!.body))).toBe(true);
  });

  it("surfaces 20003 for bad credentials and 21211 for an invalid To", async () => {
    const acct = newAccount();
    const bad = createTwilioClient({ accountSid: acct.accountSid, authToken: "nope", apiBaseUrl: env.sim.url });
    await expect(bad.messages.create({ to: "+46701234567", from: "+15005550006", body: "x" })).rejects.toMatchObject({ status: 401, code: 20003 });

    const client = createTwilioClient({ accountSid: acct.accountSid, authToken: acct.authToken, apiBaseUrl: env.sim.url });
    await expect(client.messages.create({ to: "12345", from: "+15005550006", body: "x" })).rejects.toMatchObject({
      status: 400,
      code: 21211,
      moreInfo: "https://www.twilio.com/docs/errors/21211",
    });
  });
});
