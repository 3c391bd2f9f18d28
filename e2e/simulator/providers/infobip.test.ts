import { describe, expect, it } from "vitest";
import { useSimulator } from "../test-helpers";
import type { InfobipAccount } from "./infobip";

const env = useSimulator();

const post = (path: string, key: string, body: unknown) =>
  fetch(`${env.sim.url}${path}`, {
    method: "POST",
    headers: { authorization: `App ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("infobip", () => {
  it("accepts /sms/2/text/advanced and posts a JSON DLR to notifyUrl", async () => {
    const acct = env.sim.createAccount({ provider: "infobip" }) as InfobipAccount;
    const res = await post("/sms/2/text/advanced", acct.apiKey, {
      messages: [
        {
          destinations: [{ to: "46701740605", messageId: "herald-att-1" }],
          from: "Herald",
          text: "Hello",
          notifyUrl: `${env.receiver.url}/infobip/dlr`,
          notifyContentType: "application/json",
          callbackData: "cfg-1",
        },
      ],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      messages: [{ to: "46701740605", messageId: "herald-att-1", status: expect.objectContaining({ groupName: "PENDING", name: "PENDING_ACCEPTED" }) }],
    });
    const [dlr] = await env.receiver.waitFor(1, "/infobip/dlr");
    const { results } = JSON.parse(dlr!.body) as { results: Record<string, unknown>[] };
    expect(results[0]).toMatchObject({
      messageId: "herald-att-1",
      to: "46701740605",
      callbackData: "cfg-1",
      status: { groupId: 3, name: "DELIVERED_TO_HANDSET" },
      error: { id: 0, name: "NO_ERROR" },
    });
    expect(env.sim.listRequests({ accountId: acct.id })[0]!.idempotencyRef).toBe("herald-att-1");
  });

  it("accepts /sms/3/messages", async () => {
    const acct = env.sim.createAccount({ provider: "infobip" }) as InfobipAccount;
    const res = await post("/sms/3/messages", acct.apiKey, {
      messages: [{ sender: "Herald", destinations: [{ to: "46701740605" }], content: { text: "Hi" } }],
    });
    const body = (await res.json()) as { messages: { messageId: string; destination: string }[] };
    expect(body.messages[0]).toMatchObject({ destination: "46701740605", status: { groupName: "PENDING" } });
  });

  it("rejects a wrong key and a malformed body", async () => {
    const acct = env.sim.createAccount({ provider: "infobip" }) as InfobipAccount;
    const denied = await post("/sms/2/text/advanced", "nope", { messages: [] });
    expect(denied.status).toBe(401);
    expect(await denied.json()).toEqual({ requestError: { serviceException: { messageId: "UNAUTHORIZED", text: "Invalid login details" } } });
    expect((await post("/sms/2/text/advanced", acct.apiKey, { messages: [] })).status).toBe(400);
  });
});
