import { describe, expect, it } from "vitest";
import { useSimulator } from "../test-helpers";
import type { ElksAccount } from "./elks";

const env = useSimulator();

function send(acct: ElksAccount, fields: Record<string, string>, password = acct.password) {
  return fetch(`${env.sim.url}/a1/sms`, {
    method: "POST",
    headers: { authorization: `Basic ${Buffer.from(`${acct.username}:${password}`).toString("base64")}` },
    body: new URLSearchParams(fields),
  });
}

describe("46elks", () => {
  it("creates an SMS, counts parts and costs, and posts a form DLR to whendelivered", async () => {
    const acct = env.sim.createAccount({ provider: "elks" }) as ElksAccount;
    const res = await send(acct, { from: "Herald", to: "+46701740605", message: "Hej då 😀".repeat(10), whendelivered: `${env.receiver.url}/elks/dlr?k=s3cret` });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    // 10 × 9 UTF-16 units = 90 > 70 → UCS-2 parts of 67.
    expect(body).toMatchObject({ status: "created", direction: "outgoing", from: "Herald", to: "+46701740605", parts: 2, cost: 7000 });
    expect(String(body.id)).toMatch(/^s[0-9a-f]{32}$/);

    const [dlr] = await env.receiver.waitFor(1, "/elks/dlr");
    expect(dlr!.path).toBe("/elks/dlr?k=s3cret");
    expect(dlr!.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    const fields = Object.fromEntries(new URLSearchParams(dlr!.body));
    expect(fields).toMatchObject({ id: body.id, status: "delivered" });
    expect(fields.delivered).toBeTruthy();
  });

  it("uses GSM-7 part sizes and answers dryrun with estimated_cost", async () => {
    const acct = env.sim.createAccount({ provider: "elks" }) as ElksAccount;
    const res = await send(acct, { from: "+46766860000", to: "+46701740605", message: "a".repeat(161), dryrun: "yes" });
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ parts: 2, estimated_cost: 7000 });
    expect(body.id).toBeUndefined();
  });

  it("rejects bad credentials and bad numbers", async () => {
    const acct = env.sim.createAccount({ provider: "elks" }) as ElksAccount;
    expect((await send(acct, { from: "Herald", to: "+46701740605", message: "x" }, "wrong")).status).toBe(401);
    const bad = await send(acct, { from: "Herald", to: "0701740605", message: "x" });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toBe("Invalid to number");
  });

  it("posts inbound SMS to the account's sms_url", async () => {
    const acct = env.sim.createAccount({ provider: "elks", webhookUrl: `${env.receiver.url}/elks/inbound` }) as ElksAccount;
    const delivery = await env.sim.triggerInbound({ accountId: acct.id, from: "+46700000001", to: "+46766860000", text: "STOP" });
    expect(delivery.status).toBe(200);
    const [hook] = await env.receiver.waitFor(1, "/elks/inbound");
    expect(Object.fromEntries(new URLSearchParams(hook!.body))).toMatchObject({ direction: "incoming", from: "+46700000001", to: "+46766860000", message: "STOP" });
  });
});
