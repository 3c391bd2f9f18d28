// SSRF through a provider config's hosts (issue 11, hole 4): refused at save time through the real
// routes, and at connect time on every transport (fetch, @sendgrid, twilio, firebase-admin).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closeDb } from "@/db";
import { createApiKey } from "@/lib/auth/api-keys";
import { PROVIDER_SNIPPET_CHARS } from "@/lib/providers/credential-checks";
import { makeContext } from "@/lib/test/factories";
import { params, request } from "@/lib/test/http";
import { configBody } from "@/lib/test/provider-configs";
import { providerKinds, type ProviderKind } from "@/lib/validations/provider-configs";
import { PATCH } from "./[id]/route";
import { POST as runTest } from "./[id]/test/route";
import { POST as create } from "./route";

/** A server inside the network: counts what reaches it and answers with a long body ending in a secret. */
let canary: Server;
let hits = 0;
let port = 0;
const SECRET = "internal-secret-7f3a";
beforeAll(async () => {
  canary = createServer((req, res) => {
    hits++;
    req.resume();
    res.writeHead(500, { "content-type": "application/json" });
    res.end(JSON.stringify({ message: `${"Internal details <b>line</b>\n\t".repeat(40)}${SECRET}`, error: { message: `${"x".repeat(500)}${SECRET}` } }));
  });
  await new Promise<void>((r) => canary.listen(0, "127.0.0.1", r));
  port = (canary.address() as AddressInfo).port;
});
const allowHosts = process.env.HERALD_PROVIDER_URL_ALLOW_HOSTS;
afterEach(() => {
  process.env.HERALD_PROVIDER_URL_ALLOW_HOSTS = allowHosts;
});
afterAll(async () => {
  await new Promise((r) => canary.close(r));
  await closeDb();
});

async function admin() {
  const ctx = await makeContext("admin");
  return { ctx, key: (await createApiKey(ctx, { name: "c", scopes: ["configs:read", "configs:write"] })).key };
}

/** Infobip's account URL is the host it calls; the other providers use api_base_url. */
const hostFields = (provider: ProviderKind, url: string) => (provider === "infobip" ? { api_base_url: null, base_url: url } : { api_base_url: url });

async function createVia(key: string, provider: ProviderKind, url: string) {
  const { provider: _p, ...body } = configBody(provider, hostFields(provider, url));
  const res = await create(request(`/api/communication/${provider}/configs`, { method: "POST", key, body }), params({ provider }));
  return { status: res.status, json: (await res.json()) as { id: string; error?: { details?: { path: string; message: string }[] } } };
}

describe("save time", () => {
  it.each([
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.7:8080",
    "http://[::ffff:127.0.0.1]:4010",
    "http://[::7f00:1]:4010",
    "http://[2002:a9fe:a9fe::]/",
    "http://metadata.google.internal/",
    "http://localhost:4010",
    "http://127.0.0.1:4010",
  ])("refuses %s as a base URL (422 on the field) unless its host is allow-listed", async (url) => {
    process.env.HERALD_PROVIDER_URL_ALLOW_HOSTS = "";
    const { key } = await admin();
    for (const provider of ["sendgrid", "infobip"] as const) {
      const res = await createVia(key, provider, url);
      expect(res.status, url).toBe(422);
      expect(res.json.error?.details?.[0]).toMatchObject({ path: provider === "infobip" ? "base_url" : "api_base_url" });
    }
  });

  it("PATCH re-checks a changed base URL; the allow-list admits the simulator's host only", async () => {
    process.env.HERALD_PROVIDER_URL_ALLOW_HOSTS = "127.0.0.1";
    const { key } = await admin();
    const ok = await createVia(key, "mailgun", `http://127.0.0.1:${port}`);
    expect(ok.status).toBe(201);
    const p = params({ provider: "mailgun", id: ok.json.id });
    const patch = (url: string) => PATCH(request(`/api/communication/mailgun/configs/${ok.json.id}`, { method: "PATCH", key, body: { api_base_url: url } }), p);
    expect((await patch("http://localhost:4010")).status).toBe(422);
    expect((await patch("http://192.168.1.1")).status).toBe(422);
    expect((await patch(`http://127.0.0.1:${port + 1}`)).status).toBe(200);
  });
});

describe("connect time", () => {
  // Saved while the host was allowed; by the time Herald connects it is not (a rebinding name, or
  // a config saved before the guard). Both an address literal and a name that resolves to loopback.
  it.each(providerKinds.flatMap((provider) => [[provider, "127.0.0.1", "localhost"] as const, [provider, "localhost", "127.0.0.1"] as const]))(
    "%s: the credential test never reaches %s once only %s is allowed",
    async (provider, host, stillAllowed) => {
      process.env.HERALD_PROVIDER_URL_ALLOW_HOSTS = `127.0.0.1,localhost`;
      const { key } = await admin();
      const created = await createVia(key, provider, `http://${host}:${port}`);
      expect(created.status).toBe(201);
      process.env.HERALD_PROVIDER_URL_ALLOW_HOSTS = stillAllowed;
      const before = hits;
      const res = await runTest(request(`/api/communication/${provider}/configs/${created.json.id}/test`, { method: "POST", key }), params({ provider, id: created.json.id }));
      const body = (await res.json()) as { ok: boolean; message: string; config: { last_error: string | null } };
      expect(res.status).toBe(200);
      expect(body.ok).toBe(false);
      expect(hits - before, body.message).toBe(0);
      expect(body.message, body.message).toMatch(/loopback|refused/i);
    },
  );

  it.each(["mailgun", "sendgrid", "elks", "twilio"] as const)("%s: an allowed host's error body is reflected as a short one-line snippet only", async (provider) => {
    process.env.HERALD_PROVIDER_URL_ALLOW_HOSTS = "127.0.0.1";
    const { key } = await admin();
    const created = await createVia(key, provider, `http://127.0.0.1:${port}`);
    const before = hits;
    const res = await runTest(request(`/api/communication/${provider}/configs/${created.json.id}/test`, { method: "POST", key }), params({ provider, id: created.json.id }));
    const body = (await res.json()) as { message: string; config: { last_error: string | null } };
    expect(hits).toBeGreaterThan(before);
    for (const text of [body.message, body.config.last_error ?? ""]) {
      expect(text.length).toBeLessThanOrEqual(PROVIDER_SNIPPET_CHARS);
      expect(text).not.toContain(SECRET);
      expect(text).not.toMatch(/[\n\t<>]/);
    }
  });
});
