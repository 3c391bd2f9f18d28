import { createHmac, timingSafeEqual } from "node:crypto";
import { describe, expect, it } from "vitest";
import { useSimulator } from "../test-helpers";
import type { WhatsappAccount } from "./whatsapp";

const env = useSimulator();

function newAccount(): WhatsappAccount {
  return env.sim.createAccount({ provider: "whatsapp", webhookUrl: `${env.receiver.url}/wa/${Math.random()}` }) as WhatsappAccount;
}

const send = (acct: WhatsappAccount, body: unknown, token = acct.accessToken) =>
  fetch(`${env.sim.url}/v18.0/${acct.phoneNumberId}/messages`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });

function verifyMeta(secret: string, header: string, body: string) {
  const expected = Buffer.from("sha256=" + createHmac("sha256", secret).update(body).digest("hex"));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

interface StatusPayload {
  entry: { id: string; changes: { value: { statuses?: Record<string, unknown>[]; messages?: Record<string, unknown>[]; metadata: Record<string, string> } }[] }[];
}
const value = (body: string) => (JSON.parse(body) as StatusPayload).entry[0]!.changes[0]!.value;

describe("whatsapp", () => {
  it("sends text and posts signed sent+delivered statuses", async () => {
    const acct = newAccount();
    const res = await send(acct, { messaging_product: "whatsapp", recipient_type: "individual", to: "+46701740605", type: "text", text: { body: "Hej" } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { messaging_product: string; contacts: unknown[]; messages: { id: string }[] };
    expect(body).toMatchObject({ messaging_product: "whatsapp", contacts: [{ input: "+46701740605", wa_id: "46701740605" }] });
    const wamid = body.messages[0]!.id;
    expect(wamid.startsWith("wamid.")).toBe(true);

    const hooks = await env.receiver.waitFor(2, new URL(acct.webhookUrl!).pathname);
    for (const hook of hooks) {
      expect(verifyMeta(acct.appSecret, String(hook.headers["x-hub-signature-256"]), hook.body)).toBe(true);
      expect(value(hook.body).metadata.phone_number_id).toBe(acct.phoneNumberId);
    }
    expect(hooks.map((h) => value(h.body).statuses![0]!.status)).toEqual(["sent", "delivered"]);
    expect(value(hooks[0]!.body).statuses![0]).toMatchObject({ id: wamid, recipient_id: "46701740605" });
  });

  it("sends templates, reports read/failed and inbound messages", async () => {
    const acct = newAccount();
    env.sim.updateAccount(acct.id, { autoDelivery: false });
    const res = await send(acct, {
      messaging_product: "whatsapp",
      to: "46701740606",
      type: "template",
      template: { name: "welcome", language: { code: "en_US" }, components: [{ type: "body", parameters: [{ type: "text", text: "Ada" }] }] },
    });
    const { messages } = (await res.json()) as { messages: { id: string; message_status: string }[] };
    expect(messages[0]!.message_status).toBe("accepted");
    const [read] = await env.sim.triggerEvent({ messageId: messages[0]!.id, event: "read" });
    const [failed] = await env.sim.triggerEvent({ messageId: messages[0]!.id, event: "failed" });
    expect(value(read!.body).statuses![0]!.status).toBe("read");
    expect(value(failed!.body).statuses![0]).toMatchObject({ status: "failed", errors: [{ code: 131026 }] });
    const inbound = await env.sim.triggerInbound({ accountId: acct.id, from: "+46701740607", text: "hello", name: "Ada" });
    expect(verifyMeta(acct.appSecret, inbound.headers["X-Hub-Signature-256"]!, inbound.body)).toBe(true);
    expect(value(inbound.body).messages![0]).toMatchObject({ from: "46701740607", type: "text", text: { body: "hello" } });
  });

  it("answers Graph errors for bad tokens and missing fields", async () => {
    const acct = newAccount();
    const denied = await send(acct, { messaging_product: "whatsapp", to: "1", type: "text", text: { body: "x" } }, "bad");
    expect(denied.status).toBe(401);
    expect(await denied.json()).toMatchObject({ error: { code: 190, type: "OAuthException" } });
    const missing = await send(acct, { to: "1", type: "text", text: { body: "x" } });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: { code: 100 } });
  });
});
