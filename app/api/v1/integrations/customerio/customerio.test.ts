// The Customer.io integration API: admin-only writes, write-only credentials, clear 4xx errors.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "@/e2e/simulator";
import type { CustomerioAccount } from "@/e2e/simulator/providers/customerio";
import { makeContext, makeUser } from "@/lib/test/factories";
import { params, request, sessionCookie } from "@/lib/test/http";
import { GET as failuresRoute } from "./failures/route";
import { POST as resyncRoute } from "./resync/route";
import { GET, PUT } from "./route";
import { POST as statusRoute } from "./status/route";
import { POST as testRoute } from "./test/route";

let sim: Simulator;
const previousAllow = process.env.HERALD_PROVIDER_URL_ALLOW_HOSTS;
beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  process.env.HERALD_PROVIDER_URL_ALLOW_HOSTS = "127.0.0.1";
});
afterAll(async () => {
  process.env.HERALD_PROVIDER_URL_ALLOW_HOSTS = previousAllow;
  await sim?.close();
});

const path = "/api/v1/integrations/customerio";
async function call(handler: (req: any, p: any) => Promise<Response>, cookie: string, method = "GET", body?: unknown, suffix = "") {
  const res = await handler(request(`${path}${suffix}`, { method, cookie, body }), params({}));
  return { status: res.status, json: (await res.json()) as Record<string, any>, text: "" };
}

describe("Customer.io integration API", () => {
  it("configures, tests, activates and resyncs; credentials never come back", async () => {
    const ctx = await makeContext("admin");
    const cookie = await sessionCookie(ctx.userId, ctx.tenantSlug);
    const account = sim.createAccount({ provider: "customerio", credentials: { region: "eu" } }) as CustomerioAccount;

    expect((await call(GET, cookie)).status).toBe(404);
    const missing = await call(PUT, cookie, "PUT", { region: "eu" });
    expect(missing.status).toBe(422);
    expect(missing.json.error.details.map((d: { path: string }) => d.path).sort()).toEqual(["api_key", "site_id"]);
    const badRegion = await call(PUT, cookie, "PUT", { region: "asia", site_id: "x", api_key: "y" });
    expect(badRegion.status).toBe(422);

    const saved = await call(PUT, cookie, "PUT", { region: "eu", site_id: account.siteId, api_key: account.apiKey, api_base_url: sim.url, b2c_enabled: true });
    expect(saved.status).toBe(200);
    expect(saved.json).toMatchObject({ status: "draft", region: "eu", b2c_enabled: true, site_id: { source: "secret", set: true } });
    expect(JSON.stringify(saved.json)).not.toContain(account.apiKey);

    const tested = await call(testRoute, cookie, "POST");
    expect(tested.json).toMatchObject({ ok: true, region: "eu" });
    expect((await call(resyncRoute, cookie, "POST", {}, "/resync")).status).toBe(409);
    expect((await call(statusRoute, cookie, "POST", { status: "sleeping" }, "/status")).status).toBe(422);
    expect((await call(statusRoute, cookie, "POST", { status: "active" }, "/status")).json.status).toBe("active");
    const resync = await call(resyncRoute, cookie, "POST", { b2c: true, b2b: false }, "/resync");
    expect(resync.status).toBe(202);
    expect(resync.json.started_at).toEqual(expect.any(String));
    expect((await call(GET, cookie)).json.resync).toMatchObject({ started_at: resync.json.started_at, total: 0, done: 0 });
    expect((await call(resyncRoute, cookie, "POST", { b2c: false, b2b: false }, "/resync")).status).toBe(422);
    expect((await call(failuresRoute, cookie)).json).toEqual({ data: [] });
    // Keeping the stored credentials: a save without them.
    expect((await call(PUT, cookie, "PUT", { region: "eu", b2b_enabled: true })).json).toMatchObject({ b2b_enabled: true, b2c_enabled: false });
  });

  it("refuses config changes to non-admins", async () => {
    const ctx = await makeContext("admin");
    const staff = await makeUser({ tenantId: ctx.tenantId, role: "staff" });
    const cookie = await sessionCookie(staff.id, ctx.tenantSlug);
    expect((await call(PUT, cookie, "PUT", { region: "us", site_id: "s", api_key: "k" })).status).toBe(403);
  });
});
