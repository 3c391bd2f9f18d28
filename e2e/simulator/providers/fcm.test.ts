import { createSign } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createFcmMessaging, deleteFcmApps } from "@/lib/providers/fcm/transport";
import { useSimulator } from "../test-helpers";
import type { FcmAccount } from "./fcm";

const env = useSimulator();
const appNames: string[] = [];

afterAll(async () => {
  await Promise.all(appNames.map((name) => deleteFcmApps(name)));
});

function messagingFor(acct: FcmAccount) {
  const appName = `fcm-test-${acct.id}`;
  appNames.push(appName);
  return createFcmMessaging({ serviceAccountJson: JSON.stringify(acct.serviceAccount), apiBaseUrl: env.sim.url, appName });
}

function jwt(acct: FcmAccount, claims: Record<string, unknown>): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const unsigned = `${enc({ alg: "RS256", typ: "JWT" })}.${enc(claims)}`;
  const signature = createSign("RSA-SHA256").update(unsigned).sign(acct.serviceAccount.private_key).toString("base64url");
  return `${unsigned}.${signature}`;
}

describe("fcm", () => {
  it("sends through the real firebase-admin code path (token exchange + messages:send)", async () => {
    const acct = env.sim.createAccount({ provider: "fcm" }) as FcmAccount;
    const messaging = await messagingFor(acct);
    const name = await messaging.send({ token: "device-token-1", notification: { title: "Hi", body: "There" }, data: { k: "v" } });
    expect(name).toMatch(new RegExp(`^projects/${acct.projectId}/messages/0:`));

    const requests = env.sim.listRequests({ accountId: acct.id });
    expect(requests.map((r) => r.path)).toEqual(["/token", `/v1/projects/${acct.projectId}/messages:send`]);
    expect(requests[1]).toMatchObject({ status: 200, recipients: ["device-token-1"] });

    const batch = await messaging.sendEach([{ token: "device-token-2" }, { topic: "news" }]);
    expect(batch.successCount).toBe(2);
    // The OAuth token is cached by the SDK: only one exchange.
    expect(env.sim.listRequests({ accountId: acct.id }).filter((r) => r.path === "/token")).toHaveLength(1);
  });

  it("maps UNREGISTERED, QUOTA_EXCEEDED and UNAVAILABLE to firebase-admin error codes", async () => {
    const acct = env.sim.createAccount({ provider: "fcm" }) as FcmAccount;
    const messaging = await messagingFor(acct);
    env.sim.addFailureRule({ provider: "fcm", accountId: acct.id, recipient: "gone", mode: "invalid_recipient" });
    env.sim.addFailureRule({ provider: "fcm", accountId: acct.id, recipient: "busy", mode: "rate_limit" });
    env.sim.addFailureRule({ provider: "fcm", accountId: acct.id, recipient: "broken", mode: "server_error", status: 500 });
    env.sim.addFailureRule({ provider: "fcm", accountId: acct.id, recipient: "blip", mode: "server_error", status: 503, count: 1 });
    await expect(messaging.send({ token: "gone" })).rejects.toMatchObject({ code: "messaging/registration-token-not-registered" });
    await expect(messaging.send({ token: "busy" })).rejects.toMatchObject({ code: "messaging/message-rate-exceeded" });
    await expect(messaging.send({ token: "broken" })).rejects.toMatchObject({ code: "messaging/internal-error" });
    // firebase-admin retries a 503 itself; the simulator saw both attempts.
    await expect(messaging.send({ token: "blip" })).resolves.toMatch(/^projects\//);
    const attempts = env.sim.listRequests({ accountId: acct.id }).filter((r) => r.recipients[0] === "blip");
    expect(attempts.map((r) => r.status)).toEqual([503, 200]);
  });

  it("verifies the JWT-bearer assertion against the service account key", async () => {
    const acct = env.sim.createAccount({ provider: "fcm" }) as FcmAccount;
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: acct.serviceAccount.client_email, scope: "https://www.googleapis.com/auth/firebase.messaging", aud: acct.serviceAccount.token_uri, iat: now, exp: now + 3600 };
    const post = (assertion: string) =>
      fetch(`${env.sim.url}/token`, {
        method: "POST",
        body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion }),
      });
    const good = await post(jwt(acct, claims));
    expect(good.status).toBe(200);
    const { access_token } = (await good.json()) as { access_token: string };

    const other = env.sim.createAccount({ provider: "fcm" }) as FcmAccount;
    const forged = await post(jwt({ ...acct, serviceAccount: { ...acct.serviceAccount, private_key: other.serviceAccount.private_key } }, claims));
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({ error: "invalid_grant" });
    expect((await post(jwt(acct, { ...claims, exp: now + 7200 }))).status).toBe(400);

    const send = (token: string, project = acct.projectId) =>
      fetch(`${env.sim.url}/v1/projects/${project}/messages:send`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ message: { token: "t" } }),
      });
    expect((await send("ya29.bogus")).status).toBe(401);
    expect((await send(access_token, "someone-else")).status).toBe(403);
    const invalid = await fetch(`${env.sim.url}/v1/projects/${acct.projectId}/messages:send`, {
      method: "POST",
      headers: { authorization: `Bearer ${access_token}` },
      body: JSON.stringify({ message: { token: "t", topic: "x" } }),
    });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: { status: "INVALID_ARGUMENT" } });
  });
});
