import { describe, expect, it } from "vitest";
import { SimulatorClient, SimulatorClientError } from "./client";
import { useSimulator } from "./test-helpers";

const env = useSimulator();

async function sendMailgun(client: SimulatorClient, accountId: string) {
  const acct = await client.getAccount(accountId);
  if (acct.provider !== "mailgun") throw new Error("expected mailgun");
  const form = new FormData();
  form.append("from", "n@herald.test");
  form.append("to", "ada@example.com");
  form.append("text", "x");
  const res = await fetch(`${client.url}/v3/${acct.domain}/messages`, {
    method: "POST",
    headers: { authorization: `Basic ${Buffer.from(`api:${acct.apiKey}`).toString("base64")}` },
    body: form,
  });
  return (await res.json()) as { id: string };
}

describe("control API via SimulatorClient", () => {
  it("manages accounts, webhooks, events, history and reset over HTTP", async () => {
    const client = new SimulatorClient(env.sim.url);
    expect(await client.health()).toEqual({ ok: true, url: env.sim.url });
    const def = await client.defaultAccount("sendgrid");
    expect(def.publicKey).toMatch(/^MFkw/);

    const acct = await client.createAccount({ provider: "mailgun", label: "tenant-a", credentials: { domain: "mg.tenant-a.test", apiKey: "key-fixed" } });
    expect(acct).toMatchObject({ provider: "mailgun", domain: "mg.tenant-a.test", apiKey: "key-fixed", isDefault: false });

    await client.setAutoDelivery(false);
    const { id } = await sendMailgun(client, acct.id);
    await expect(client.triggerEvent({ messageId: id, event: "open" })).rejects.toMatchObject({ status: 409 });

    await client.updateAccount(acct.id, { webhookUrl: `${env.receiver.url}/ctl/mg` });
    const [delivery] = await client.triggerEvent({ messageId: id, event: "open" });
    expect(delivery).toMatchObject({ status: 200, event: "opened", provider: "mailgun" });
    expect((await client.getMessage(id)).recipients).toEqual(["ada@example.com"]);
    await client.flush();
    expect(await client.listWebhookDeliveries({ accountId: acct.id })).toHaveLength(1);

    const since = Date.now();
    await client.setAutoDelivery(true);
    await sendMailgun(client, acct.id);
    await client.flush();
    const recent = await client.listRequests({ provider: "mailgun", since });
    expect(recent).toHaveLength(1);
    expect(await client.listWebhookDeliveries({ accountId: acct.id, since })).toHaveLength(1);

    const rule = await client.addFailureRule({ provider: "mailgun", mode: "server_error", count: 1 });
    expect(await client.listFailureRules()).toEqual([expect.objectContaining({ id: rule.id, fired: 0 })]);
    await expect(client.addFailureRule({ mode: "explode" as never })).rejects.toBeInstanceOf(SimulatorClientError);

    await client.reset();
    expect(await client.listRequests()).toEqual([]);
    expect(await client.listFailureRules()).toEqual([]);
    expect((await client.listAccounts("mailgun")).map((a) => a.id)).toContain(acct.id);
    await client.reset({ accounts: true });
    expect((await client.listAccounts("mailgun")).every((a) => a.isDefault)).toBe(true);
  });

  it("posts inbound messages and rejects unknown routes", async () => {
    const client = new SimulatorClient(env.sim.url);
    const wa = await client.createAccount({ provider: "whatsapp", webhookUrl: `${env.receiver.url}/ctl/wa` });
    const delivery = await client.triggerInbound({ accountId: wa.id, from: "+46700000002", text: "hi" });
    expect(delivery.status).toBe(200);
    await expect(client.triggerInbound({ accountId: (await client.defaultAccount("twilio")).id, from: "+1", text: "x" })).rejects.toMatchObject({ status: 400 });
    const res = await fetch(`${env.sim.url}/__sim/nope`);
    expect(res.status).toBe(404);
    expect((await fetch(`${env.sim.url}/v9/unknown`, { method: "POST" })).status).toBe(404);
  });
});
