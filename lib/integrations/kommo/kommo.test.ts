// Kommo → Unisender end to end against the simulator over real HTTP, on pg-boss: register,
// authorize (OAuth through the consent redirect), set the Unisender key, full sync of 5,000
// contacts, webhooks mirrored in order, the operations endpoints, and a request log without secrets.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { kommoRequestLog } from "@/db/schema";
import { startSimulator, type Simulator } from "@/e2e/simulator";
import { workflows } from "@/inngest/workflows";
import { startJobEngine, stopJobEngine } from "@/lib/jobs/job-engine";
import { connectedIntegration, startKommoBridge } from "@/lib/test/kommo";
import { makeContext, waitFor } from "@/lib/test/factories";
import { createApiKey } from "@/lib/auth/api-keys";
import { PUT as unisenderRoute } from "@/app/api/v1/integrations/kommo/[id]/unisender/route";
import { POST as createRoute } from "@/app/api/v1/integrations/kommo/route";
import { params, request } from "@/lib/test/http";
import { GET as contactsRoute } from "@/app/api/v1/integrations/kommo/[id]/contacts/route";
import { GET as requestsRoute } from "@/app/api/v1/integrations/kommo/[id]/requests/route";
import { GET as getRoute } from "@/app/api/v1/integrations/kommo/[id]/route";
import { POST as syncRoute } from "@/app/api/v1/integrations/kommo/[id]/sync/route";
import { GET as unisenderContactRoute } from "@/app/api/v1/integrations/kommo/[id]/unisender/contacts/route";
import { POST as listsRoute } from "@/app/api/v1/integrations/kommo/[id]/unisender/lists/route";

type J = Record<string, any>;  

let sim: Simulator;
let bridge: Awaited<ReturnType<typeof startKommoBridge>>;

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  bridge = await startKommoBridge();
  process.env.HERALD_PUBLIC_URL = bridge.url;
  process.env.HERALD_KOMMO_BASE_URL = sim.kommo.apiBaseTemplate;
  process.env.HERALD_KOMMO_OAUTH_URL = sim.kommo.oauthUrl;
  process.env.HERALD_UNISENDER_BASE_URL = sim.unisender.baseUrl;
  await startJobEngine({ workflows, runWorkers: true });
});
afterAll(async () => {
  await stopJobEngine();
  await bridge?.close();
  await sim?.close();
});

const get = async (key: string, id: string) => (await (await getRoute(request(`/api/v1/integrations/kommo/${id}`, { key }), params({ id }))).json()) as J;

describe("Kommo → Unisender", () => {
  it("validates registration and the Unisender settings, refuses duplicates, and masks the webhook token for readers", async () => {
    const ctx = await makeContext("owner");
    const key = (await createApiKey(ctx, { name: "w", scopes: ["integrations:read", "integrations:write"] })).key;
    const reader = (await createApiKey(ctx, { name: "r", scopes: ["integrations:read"] })).key;
    const create = (body: unknown, k = key) => createRoute(request("/api/v1/integrations/kommo", { method: "POST", key: k, body }), params({}));
    const ok = { subdomain: "valid-acme", client_id: "abc", client_secret: "s3cret-value" };
    const cases: [unknown, number, string?][] = [
      [{ ...ok, subdomain: "not a host" }, 422, "subdomain"],
      [{ ...ok, subdomain: "-acme" }, 422, "subdomain"],
      [{ subdomain: "acme", client_id: "abc" }, 422, "client_secret"],
      [{ ...ok, client_secret_ref: "secret:00000000-0000-0000-0000-000000000000" }, 422, "client_secret"],
      [{ ...ok, client_secret: undefined, client_secret_ref: "secret:00000000-0000-0000-0000-000000000000" }, 422, "client_secret_ref"],
      [{ ...ok, extra: 1 }, 422],
      [{ ...ok, delete_mode: "shred" }, 422, "delete_mode"],
    ];
    for (const [body, status, path] of cases) {
      const r = await create(body);
      const j = (await r.json()) as J;
      expect(r.status, JSON.stringify(j)).toBe(status);
      if (path) expect(j.error.details.map((d: J) => d.path), JSON.stringify(j)).toContain(path);
    }
    expect((await create(ok, reader)).status).toBe(403);
    const created = await create(ok);
    expect(created.status).toBe(201);
    const id = ((await created.json()) as J).id as string;
    expect((await create(ok)).status).toBe(409);
    const shown = await get(reader, id);
    expect(shown.webhook_url).toMatch(/\?token=\*+$/);
    const put = (body: unknown) => unisenderRoute(request(`/api/v1/integrations/kommo/${id}/unisender`, { method: "PUT", key, body }), params({ id }));
    expect((await put({ list_ids: ["1"] })).status).toBe(422); // no key stored yet
    expect((await put({ api_key: "k", list_ids: [] })).status).toBe(422);
    expect((await put({ api_key: "k", list_ids: ["abc"] })).status).toBe(422);
    expect((await put({ api_key: "k", list_ids: [7] })).status).toBe(200);
    expect((await syncRoute(request(`/api/v1/integrations/kommo/${id}/sync`, { method: "POST", key }), params({ id }))).status).toBe(409); // not authorized yet
    expect((await getRoute(request("/api/v1/integrations/kommo/nope", { key }), params({ id: "nope" }))).status).toBe(404);
    const other = await makeContext("owner");
    const otherKey = (await createApiKey(other, { name: "o", scopes: ["integrations:read"] })).key;
    expect((await getRoute(request(`/api/v1/integrations/kommo/${id}`, { key: otherKey }), params({ id }))).status).toBe(404);
  });

  it("syncs 5,000 contacts, mirrors webhooks in order, serves the operations and logs every call without secrets", async () => {
    const c = await connectedIntegration(sim, bridge.url);
    const expected = new Map<string, string>();
    for (let i = 0; i < 5000; i++) {
      // Every fifth contact has a phone only: it has no email to hold in Unisender.
      const email = i % 5 === 4 ? undefined : `person${i}@example.com`;
      sim.kommo.addContact(c.subdomain, { name: `Person ${i}`, emails: email ? [email] : [], phones: [`+4670${String(1000000 + i)}`] });
      if (email) expected.set(email, `Person ${i}`);
    }

    const started = Date.now();
    const sync = await syncRoute(request(`/api/v1/integrations/kommo/${c.id}/sync`, { method: "POST", key: c.key }), params({ id: c.id }));
    expect(sync.status).toBe(202);
    const done = await waitFor(async () => {
      const s = await get(c.key, c.id);
      return s.sync.status !== "running" && s;
    }, 25_000);
    const syncMs = Date.now() - started;
    expect(done.sync, JSON.stringify(done.sync)).toMatchObject({ status: "done", pages: 20, contacts: 5000, pushed: 4000, error: null });
    expect(done.mirrored_contacts).toBe(5000);
    const held = sim.unisender.holding(c.apiKey);
    expect(held.size).toBe(4000);
    expect([...held.keys()].sort()).toEqual([...expected.keys()].sort());
    expect(new Set([...held.values()].map((l) => l.join()))).toEqual(new Set(["11"]));
    expect(c.unisender.contacts.get("person0@example.com")?.name).toBe("Person 0");
    // ≤500 rows per import; the 7 req/s limit was never hit.
    const imports = c.unisender.calls.filter((x) => x.method === "importContacts").map((x) => x.rows ?? 0);
    expect(imports).toEqual(Array(10).fill(400)); // two Kommo pages (500 contacts, 400 with an email) per call
    expect(c.account.rejectedCalls).toBe(0);
    console.info(`full sync of 5,000 Kommo contacts: ${syncMs} ms`);

    // Webhooks: add one, change one's email, rename another, delete one — several entities per delivery.
    const x = sim.kommo.addContact(c.subdomain, { name: "New Person", emails: ["new@example.com"] });
    const y = sim.kommo.updateContact(c.subdomain, 1_000_001, { emails: ["moved@example.com"] });
    const first = sim.kommo.webhookBody(c.subdomain, [
      { action: "add", contact: x },
      { action: "update", contact: y },
    ]);
    expect(await sim.kommo.postWebhook(c.integration.webhook_url, first)).toBe(200);
    // The same contact twice, in two deliveries: the later state wins.
    const z1 = { ...sim.kommo.updateContact(c.subdomain, 1_000_002, { emails: ["interim@example.com"] }) };
    expect(await sim.kommo.postWebhook(c.integration.webhook_url, sim.kommo.webhookBody(c.subdomain, [{ action: "update", contact: z1 }]))).toBe(200);
    const z2 = { ...sim.kommo.updateContact(c.subdomain, 1_000_002, { emails: ["final@example.com"], name: "Final Name" }) };
    expect(await sim.kommo.postWebhook(c.integration.webhook_url, sim.kommo.webhookBody(c.subdomain, [{ action: "update", contact: z2 }]))).toBe(200);
    const gone = sim.kommo.account(c.subdomain).contacts.get(1_000_004)!;
    sim.kommo.deleteContact(c.subdomain, gone.id);
    expect(await sim.kommo.postWebhook(c.integration.webhook_url, sim.kommo.webhookBody(c.subdomain, [{ action: "delete", contact: gone }]))).toBe(200);
    // A replayed delivery is recorded once.
    expect(await sim.kommo.postWebhook(c.integration.webhook_url, first)).toBe(200);

    await waitFor(async () => (await get(c.key, c.id)).pending_webhooks === 0, 10_000);
    const after = sim.unisender.holding(c.apiKey);
    expect(after.has("new@example.com")).toBe(true);
    expect(after.has("moved@example.com")).toBe(true);
    expect(after.has("person0@example.com")).toBe(false);
    expect(after.has("interim@example.com")).toBe(false);
    expect(after.has("final@example.com")).toBe(true);
    expect(c.unisender.contacts.get("final@example.com")?.name).toBe("Final Name");
    expect(after.has("person1@example.com")).toBe(false);
    expect(after.has("person3@example.com")).toBe(false);
    // exclude keeps the person in Unisender (not unsubscribed), just off the list.
    expect(c.unisender.contacts.has("person3@example.com")).toBe(true);
    expect(after.size).toBe(4000 + 1 - 1);

    // Operations of the original API.
    const list = await contactsRoute(request(`/api/v1/integrations/kommo/${c.id}/contacts?limit=3&page=2`, { key: c.key }), params({ id: c.id }));
    const listed = (await list.json()) as J;
    expect(list.status).toBe(200);
    expect(listed).toMatchObject({ page: 2, has_more: true, data: [{ id: 1_000_005 }, { id: 1_000_006 }, { id: 1_000_007 }] });
    const found = await unisenderContactRoute(request(`/api/v1/integrations/kommo/${c.id}/unisender/contacts?email=FINAL@example.com`, { key: c.key }), params({ id: c.id }));
    expect(found.status).toBe(200);
    expect(((await found.json()) as J).data).toMatchObject({ email: { email: "final@example.com" }, lists: [{ id: 11 }] });
    const missing = await unisenderContactRoute(request(`/api/v1/integrations/kommo/${c.id}/unisender/contacts?email=nobody@example.com`, { key: c.key }), params({ id: c.id }));
    expect(missing.status).toBe(404);
    const bad = await unisenderContactRoute(request(`/api/v1/integrations/kommo/${c.id}/unisender/contacts?email=nope`, { key: c.key }), params({ id: c.id }));
    expect(bad.status).toBe(422);
    const lists = (body: unknown) => listsRoute(request(`/api/v1/integrations/kommo/${c.id}/unisender/lists`, { method: "POST", key: c.key, body }), params({ id: c.id }));
    expect(((await (await lists({ emails: ["extra@example.com", "person5@example.com"] })).json()) as J)).toEqual({ action: "added", count: 2 });
    expect(sim.unisender.holding(c.apiKey).has("extra@example.com")).toBe(true);
    expect(((await (await lists({ emails: ["person5@example.com"], delete: 1 })).json()) as J)).toEqual({ action: "excluded", count: 1 });
    expect(sim.unisender.holding(c.apiKey).has("person5@example.com")).toBe(false);
    expect((await lists({ emails: [] })).status).toBe(422);
    expect((await lists({ emails: ["x@example.com"], delete: 2 })).status).toBe(422);

    // The per-request log: every kind of call, filterable, and no secret anywhere in it.
    const log = async (q: string) => (await (await requestsRoute(request(`/api/v1/integrations/kommo/${c.id}/requests?${q}`, { key: c.key }), params({ id: c.id }))).json()) as J;
    const webhooks = await log("service=webhook&limit=20");
    expect(webhooks.data.length).toBe(5);
    expect(webhooks.data.map((r: J) => r.summary)).toContainEqual(expect.stringMatching(/^duplicate/));
    expect((await log("service=kommo&limit=200")).data.map((r: J) => r.operation)).toEqual(expect.arrayContaining(["contacts.list", "oauth.exchange_code"]));
    expect((await log("service=unisender&limit=5")).data.every((r: J) => r.service === "unisender")).toBe(true);
    const page1 = await log("limit=2");
    expect(page1.next_before).toBe(page1.data[1].id);
    expect((await log(`limit=2&before=${page1.next_before}`)).data[0].id).toBeLessThan(page1.next_before);
    const rows = await getDb().select().from(kommoRequestLog).where(eq(kommoRequestLog.integrationId, c.id));
    expect(rows.length).toBeGreaterThan(30);
    const dump = JSON.stringify(rows);
    const webhookToken = new URL(c.integration.webhook_url).searchParams.get("token")!;
    const secrets = [c.apiKey, c.clientSecret, webhookToken, ...c.account.accessTokens.keys(), c.account.refresh.current!, c.account.refresh.previous!];
    for (const s of secrets) expect(dump, "a secret in the request log").not.toContain(s);
  });
});
