import { describe, expect, it } from "vitest";
import { useSimulator } from "../test-helpers";
import type { OnesignalAccount } from "./onesignal";

const env = useSimulator();

const post = (authorization: string, body: unknown) =>
  fetch(`${env.sim.url}/notifications`, {
    method: "POST",
    headers: { authorization, "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("onesignal", () => {
  it("creates a notification with Key auth and repeats the id for the same idempotency_key", async () => {
    const acct = env.sim.createAccount({ provider: "onesignal" }) as OnesignalAccount;
    const body = { app_id: acct.appId, include_subscription_ids: ["sub-1"], contents: { en: "Hi" }, idempotency_key: "att-42" };
    const first = await post(`Key ${acct.apiKey}`, body);
    expect(first.status).toBe(200);
    const a = (await first.json()) as { id: string; external_id: string };
    expect(a.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.external_id).toBe("att-42");
    const b = (await (await post(`Basic ${acct.apiKey}`, body)).json()) as { id: string };
    expect(b.id).toBe(a.id);
    expect(env.sim.listMessages({ accountId: acct.id })).toHaveLength(1);
    expect(env.sim.listRequests({ accountId: acct.id }).map((r) => r.idempotencyRef)).toEqual(["att-42", "att-42"]);
  });

  it("answers 403 for a bad key and 400 for a foreign app_id", async () => {
    const acct = env.sim.createAccount({ provider: "onesignal" }) as OnesignalAccount;
    const denied = await post("Key wrong", { app_id: acct.appId, include_subscription_ids: ["s"], contents: { en: "x" } });
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { errors: string[] }).errors[0]).toMatch(/^Access denied/);
    const foreign = await post(`Key ${acct.apiKey}`, { app_id: "00000000-0000-0000-0000-000000000000", include_subscription_ids: ["s"], contents: { en: "x" } });
    expect(foreign.status).toBe(400);
  });

  it("reports invalid subscriptions in a 200 errors field", async () => {
    const acct = env.sim.createAccount({ provider: "onesignal" }) as OnesignalAccount;
    env.sim.addFailureRule({ provider: "onesignal", accountId: acct.id, recipientPrefix: "dead-", mode: "invalid_recipient" });
    const partial = await post(`Key ${acct.apiKey}`, { app_id: acct.appId, include_subscription_ids: ["live-1", "dead-1"], contents: { en: "x" } });
    expect(partial.status).toBe(200);
    expect(await partial.json()).toMatchObject({ id: expect.any(String), errors: { invalid_player_ids: ["dead-1"] } });
    const none = await post(`Key ${acct.apiKey}`, { app_id: acct.appId, include_subscription_ids: ["dead-2"], contents: { en: "x" } });
    expect(await none.json()).toEqual({ id: "", errors: ["All included players are not subscribed"] });
    const aliases = await post(`Key ${acct.apiKey}`, { app_id: acct.appId, include_aliases: { external_id: ["u1", "dead-u"] }, target_channel: "push", contents: { en: "x" } });
    expect(await aliases.json()).toMatchObject({ errors: { invalid_aliases: { external_id: ["dead-u"] } } });
  });
});
