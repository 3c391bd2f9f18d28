// Kommo's grant over time, against the simulator: an expiring access token is refreshed before a
// call (never a failed call), concurrent refreshes rotate once, the schedule rotates ahead of
// expiry, and a revoked grant (401, or Kommo's signed hook) puts the integration in `error` with
// its reason and one alert, and stops calling Kommo.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { getDb } from "@/db";
import { kommoRequestLog } from "@/db/schema";
import { findKommoIntegration, updateKommoIntegration } from "@/db/queries/kommo";
import { sweepStuckWork } from "@/lib/stuck-work/sweep";
import { startSimulator, type Simulator } from "@/e2e/simulator";
import { workflows } from "@/inngest/workflows";
import { setAlertSink, type Alert } from "@/lib/alerts/raise-alert";
import { startJobEngine, stopJobEngine } from "@/lib/jobs/job-engine";
import { connectedIntegration, startKommoBridge } from "@/lib/test/kommo";
import { waitFor } from "@/lib/test/factories";
import { params, request } from "@/lib/test/http";
import { GET as contactsRoute } from "@/app/api/v1/integrations/kommo/[id]/contacts/route";
import { GET as getRoute } from "@/app/api/v1/integrations/kommo/[id]/route";
import { POST as syncRoute } from "@/app/api/v1/integrations/kommo/[id]/sync/route";
import { refreshExpiringKommoTokens } from "./refresh";
import { refreshKommoTokens } from "./tokens";

type J = Record<string, any>;  

let sim: Simulator;
let bridge: Awaited<ReturnType<typeof startKommoBridge>>;
const alerts: Alert[] = [];

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  bridge = await startKommoBridge();
  process.env.HERALD_PUBLIC_URL = bridge.url;
  process.env.HERALD_KOMMO_BASE_URL = sim.kommo.apiBaseTemplate;
  process.env.HERALD_KOMMO_OAUTH_URL = sim.kommo.oauthUrl;
  process.env.HERALD_UNISENDER_BASE_URL = sim.unisender.baseUrl;
  setAlertSink((a) => alerts.push(a));
  await startJobEngine({ workflows, runWorkers: true });
});
afterAll(async () => {
  setAlertSink(undefined);
  await stopJobEngine();
  await bridge?.close();
  await sim?.close();
});

const get = async (key: string, id: string) => (await (await getRoute(request(`/api/v1/integrations/kommo/${id}`, { key }), params({ id }))).json()) as J;
const row = async (c: { ctx: { tenantId: string }; id: string }) => (await findKommoIntegration(getDb(), { tenantId: c.ctx.tenantId, id: c.id }))!;

describe("Kommo grant", () => {
  it("refreshes an expiring token before calling, rotates once under concurrency, and on schedule", async () => {
    // A 1 s token: every call finds it about to expire and refreshes first.
    const c = await connectedIntegration(sim, bridge.url, { accessTtlSeconds: 1 });
    sim.kommo.addContact(c.subdomain, { name: "Ann", emails: ["ann@example.com"] });
    await new Promise((r) => setTimeout(r, 1_100)); // the first access token has now expired
    const before = await row(c);
    const res = await contactsRoute(request(`/api/v1/integrations/kommo/${c.id}/contacts`, { key: c.key }), params({ id: c.id }));
    expect(res.status).toBe(200);
    expect(((await res.json()) as J).data).toEqual([expect.objectContaining({ name: "Ann", emails: ["ann@example.com"] })]);
    expect(c.account.refreshCount).toBe(1);
    expect(c.account.rejectedCalls).toBe(0); // no call ever went out with an expired token
    const after = await row(c);
    expect(after.tokenVersion).toBe(before.tokenVersion + 1);
    expect(after.accessTokenRef).toBe(before.accessTokenRef); // rotated in place: same refs, new ciphertext

    // Five workers refreshing the same version at once: one rotation, all get the new pair.
    const snapshot = await row(c);
    const results = await Promise.all(Array.from({ length: 5 }, () => refreshKommoTokens(snapshot)));
    expect(c.account.refreshCount).toBe(2);
    expect(new Set(results.map((r) => r.tokenVersion))).toEqual(new Set([snapshot.tokenVersion + 1]));

    // The scheduled refresh rotates tokens expiring within its window, and only those.
    const { refreshed } = await refreshExpiringKommoTokens({ aheadMs: 60_000 });
    expect(refreshed).toBeGreaterThanOrEqual(1);
    expect(c.account.refreshCount).toBe(3);
    expect((await get(c.key, c.id)).status).toBe("active");
  });

  it("keeps the old refresh token valid until the new one is used (a lost answer is retried safely)", async () => {
    const c = await connectedIntegration(sim, bridge.url);
    const a = c.account;
    const oldToken = a.refresh.current!;
    const body = (t: string) => ({ client_id: a.clientId, client_secret: a.clientSecret, grant_type: "refresh_token", refresh_token: t, redirect_uri: a.redirectUri });
    const post = (t: string) => fetch(`${sim.kommo.apiBaseTemplate.replace("{subdomain}", c.subdomain)}/oauth2/access_token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body(t)) });
    const lost = (await (await post(oldToken)).json()) as J; // Herald never saw this answer
    const retried = (await (await post(oldToken)).json()) as J;
    expect(retried.refresh_token).toBeTruthy();
    expect((await post(retried.refresh_token)).status).toBe(200);
    expect((await post(oldToken)).status).toBe(400); // the newer token was used: the old one is dead
    expect((await post(lost.refresh_token)).status).toBe(400);
  });

  it("a revoked grant (401) ends the sync and the integration with a reason and one alert, and stops calling Kommo", async () => {
    const c = await connectedIntegration(sim, bridge.url);
    for (let i = 0; i < 30; i++) sim.kommo.addContact(c.subdomain, { name: `P${i}`, emails: [`p${i}@example.com`] });
    await sim.kommo.revoke(c.subdomain);
    alerts.length = 0;
    const sync = await syncRoute(request(`/api/v1/integrations/kommo/${c.id}/sync`, { method: "POST", key: c.key }), params({ id: c.id }));
    expect(sync.status).toBe(202);
    const failed = await waitFor(async () => {
      const s = await get(c.key, c.id);
      return s.sync.status !== "running" && s;
    }, 10_000);
    expect(failed).toMatchObject({ status: "error", error_reason: expect.stringMatching(/401/), sync: { status: "failed", error: expect.stringMatching(/401/) } });
    const rejected = c.account.rejectedCalls;
    expect(rejected).toBe(1);
    expect(alerts.filter((a) => a.kind === "integration_failed")).toHaveLength(1);
    // No retry storm: nothing more reaches Kommo, and new work is refused while in error.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(c.account.rejectedCalls).toBe(rejected);
    const again = await syncRoute(request(`/api/v1/integrations/kommo/${c.id}/sync`, { method: "POST", key: c.key }), params({ id: c.id }));
    expect(again.status).toBe(409);
    await refreshExpiringKommoTokens({ aheadMs: 10 * 86_400_000 }); // the schedule skips an integration in error
    expect(c.account.rejectedCalls).toBe(rejected);
    // Webhooks are still recorded, and wait.
    const x = sim.kommo.addContact(c.subdomain, { name: "Late", emails: ["late@example.com"] });
    expect(await sim.kommo.postWebhook(c.integration.webhook_url, sim.kommo.webhookBody(c.subdomain, [{ action: "add", contact: x }]))).toBe(200);
    await waitFor(async () => (await get(c.key, c.id)).pending_webhooks === 1, 5_000);
  });

  it("a sync that fails mid-way resumes at its saved page, not from the start", async () => {
    const c = await connectedIntegration(sim, bridge.url);
    for (let i = 0; i < 1000; i++) sim.kommo.addContact(c.subdomain, { name: `R${i}`, emails: [`r${i}@example.com`] });
    // Pages 1–2 (the first step) go through; page 3 fails every in-place retry, so the step throws and the engine retries it.
    c.account.failNext = { status: 500, count: 4, after: 2 };
    expect((await syncRoute(request(`/api/v1/integrations/kommo/${c.id}/sync`, { method: "POST", key: c.key }), params({ id: c.id }))).status).toBe(202);
    const done = await waitFor(async () => {
      const s = await get(c.key, c.id);
      return s.sync.status !== "running" && s;
    }, 15_000);
    expect(done.sync).toMatchObject({ status: "done", pages: 4, contacts: 1000, pushed: 1000 });
    expect(sim.unisender.holding(c.apiKey).size).toBe(1000);
    const lists = await getDb().select().from(kommoRequestLog).where(and(eq(kommoRequestLog.integrationId, c.id), eq(kommoRequestLog.operation, "contacts.list")));
    // Each page was read once successfully (pages 1–2 were not read again), plus the four refused tries.
    expect(lists.filter((r) => r.ok)).toHaveLength(4);
    expect(lists.filter((r) => !r.ok).map((r) => r.status)).toEqual([500, 500, 500, 500]);
  });

  it("an incremental sync reads only contacts updated since the last completed sync", async () => {
    const c = await connectedIntegration(sim, bridge.url);
    const old = Math.floor(Date.now() / 1000) - 60;
    for (let i = 0; i < 300; i++) sim.kommo.addContact(c.subdomain, { name: `I${i}`, emails: [`i${i}@example.com`], updatedAt: old });
    const run = async (mode: string) => {
      expect((await syncRoute(request(`/api/v1/integrations/kommo/${c.id}/sync?mode=${mode}`, { method: "POST", key: c.key }), params({ id: c.id }))).status).toBe(202);
      return waitFor(async () => {
        const s = await get(c.key, c.id);
        return s.sync.status !== "running" && s;
      }, 10_000);
    };
    expect((await run("incremental")).sync).toMatchObject({ status: "done", contacts: 300, updated_from: null }); // nothing completed before: everything
    for (const id of [1_000_001, 1_000_100, 1_000_300]) sim.kommo.updateContact(c.subdomain, id, { name: `Renamed ${id}` });
    const inc = await run("incremental");
    expect(inc.sync).toMatchObject({ status: "done", contacts: 3, pages: 1, updated_from: expect.any(String) });
    expect(c.unisender.contacts.get("i99@example.com")?.name).toBe("Renamed 1000100");
    expect(sim.unisender.holding(c.apiKey).size).toBe(300);
    // A sync whose run was lost (still `running`, not moving) is failed by the stuck-work sweeper.
    await updateKommoIntegration(getDb(), { tenantId: c.ctx.tenantId, id: c.id, patch: { syncStatus: "running" } });
    expect((await sweepStuckWork({ now: new Date(Date.now() + 60_000) })).kommo_sync).toBe(0); // not past its deadline yet
    expect((await sweepStuckWork({ now: new Date(Date.now() + 3 * 3_600_000) })).kommo_sync).toBe(1);
    expect((await get(c.key, c.id)).sync).toMatchObject({ status: "failed", error: expect.stringMatching(/stuck-work sweeper/) });
    const bad = await syncRoute(request(`/api/v1/integrations/kommo/${c.id}/sync?mode=partial`, { method: "POST", key: c.key }), params({ id: c.id }));
    expect(bad.status).toBe(422);
  });

  it("Kommo's signed access-revoked hook moves the integration to error; a forged one is refused", async () => {
    const c = await connectedIntegration(sim, bridge.url);
    const forged = new URL(c.integration.webhook_url);
    forged.searchParams.set("account_id", String(c.account.id));
    forged.searchParams.set("client_uuid", c.account.clientId);
    forged.searchParams.set("signature", "0".repeat(64));
    expect((await fetch(forged)).status).toBe(401);
    expect((await get(c.key, c.id)).status).toBe("active");
    expect(await sim.kommo.revoke(c.subdomain, c.integration.webhook_url)).toBe(200);
    expect(await get(c.key, c.id)).toMatchObject({ status: "error", error_reason: expect.stringMatching(/revoked in Kommo/) });
    // A wrong or missing token is a 404, whatever the body carries.
    const wrong = new URL(c.integration.webhook_url);
    wrong.searchParams.set("token", "x".repeat(32));
    expect(await sim.kommo.postWebhook(wrong.toString(), "contacts[add][0][id]=1")).toBe(404);
    wrong.searchParams.delete("token");
    expect(await sim.kommo.postWebhook(wrong.toString(), "contacts[add][0][id]=1")).toBe(404);
  });
});
