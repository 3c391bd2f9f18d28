import { getApps } from "firebase-admin/app";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "@/e2e/simulator/server";
import type { FcmAccount } from "@/e2e/simulator/providers/fcm";
import { createFcmMessaging, deleteFcmApps } from "./transport";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await deleteFcmApps("cfg-cache");
  await deleteFcmApps("cfg-plain");
  await sim.close();
});

const appsFor = (config: string) => getApps().filter((a) => a.name.startsWith(`herald-fcm:${config}:`));

describe("firebase transport", () => {
  it("caches one named app per config + credential, replacing it when the credential rotates", async () => {
    const first = sim.createAccount({ provider: "fcm" }) as FcmAccount;
    const m1 = await createFcmMessaging({ serviceAccountJson: first.serviceAccount as never, apiBaseUrl: sim.url, appName: "cfg-cache" });
    const m2 = await createFcmMessaging({ serviceAccountJson: JSON.stringify(first.serviceAccount), apiBaseUrl: sim.url, appName: "cfg-cache" });
    expect(m2.app).toBe(m1.app);
    expect(appsFor("cfg-cache")).toHaveLength(1);
    await expect(m1.send({ token: "t1" })).resolves.toMatch(new RegExp(`^projects/${first.projectId}/`));

    const rotated = sim.createAccount({ provider: "fcm" }) as FcmAccount;
    const m3 = await createFcmMessaging({ serviceAccountJson: JSON.stringify(rotated.serviceAccount), apiBaseUrl: sim.url, appName: "cfg-cache" });
    expect(m3.app).not.toBe(m1.app);
    expect(appsFor("cfg-cache").map((a) => a.name)).toEqual([m3.app.name]);
    await expect(m3.send({ token: "t2" })).resolves.toMatch(new RegExp(`^projects/${rotated.projectId}/`));

    await deleteFcmApps("cfg-cache");
    expect(appsFor("cfg-cache")).toHaveLength(0);
  });

  it("leaves the real Google transport alone without apiBaseUrl", async () => {
    const acct = sim.createAccount({ provider: "fcm" }) as FcmAccount;
    const messaging = await createFcmMessaging({ serviceAccountJson: JSON.stringify(acct.serviceAccount), appName: "cfg-plain" });
    expect(messaging.app.options.httpAgent).toBeUndefined();
    expect(messaging.app.options.projectId).toBe(acct.projectId);
  });
});
