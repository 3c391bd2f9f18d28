// Test helpers for the Kommo integration: a real HTTP server in front of its webhook and OAuth
// callback routes (so the simulator's redirects and posts reach Herald over HTTP), and a connected integration.
import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import type { Simulator } from "@/e2e/simulator";
import { createApiKey } from "@/lib/auth/api-keys";
import { makeContext } from "@/lib/test/factories";
import { params, request } from "@/lib/test/http";
import { GET as authorizeRoute } from "@/app/api/v1/integrations/kommo/[id]/authorize/route";
import { PUT as unisenderRoute } from "@/app/api/v1/integrations/kommo/[id]/unisender/route";
import { POST as createRoute } from "@/app/api/v1/integrations/kommo/route";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { NextRequest } from "next/server";
import { GET as callback } from "@/app/api/v1/integrations/kommo/oauth/callback/route";
import { GET as revokedHook, POST as webhook } from "@/app/api/webhooks/kommo/[id]/route";

export async function startKommoBridge() {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      const nreq = new NextRequest(url, { method: req.method, headers, body: req.method === "POST" ? Buffer.concat(chunks) : undefined });
      const hook = /^\/api\/webhooks\/kommo\/([^/]+)$/.exec(url.pathname);
      let answer: Response;
      if (hook) answer = await (req.method === "GET" ? revokedHook : webhook)(nreq, { params: Promise.resolve({ id: hook[1]! }) });
      else if (url.pathname === "/api/v1/integrations/kommo/oauth/callback") answer = await callback(nreq, { params: Promise.resolve({}) });
      else answer = new Response(null, { status: 404 });
      res.writeHead(answer.status, Object.fromEntries(answer.headers));
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A registered, authorized integration with a Unisender key, and the handles a test needs. */
export async function connectedIntegration(sim: Simulator, bridgeUrl: string, opts: { accessTtlSeconds?: number } = {}) {
  const ctx = await makeContext("owner");
  const key = (await createApiKey(ctx, { name: "kommo", scopes: ["integrations:read", "integrations:write"] })).key;
  const subdomain = `acme${randomBytes(4).toString("hex")}`;
  const clientSecret = `cs_${randomBytes(16).toString("hex")}`;
  const clientId = randomBytes(16).toString("hex");
  const created = await createRoute(request("/api/v1/integrations/kommo", { method: "POST", key, body: { subdomain, client_id: clientId, client_secret: clientSecret } }), params({}));
  expect(created.status).toBe(201);
  const integration = (await created.json()) as J;
  expect(integration).toMatchObject({ status: "pending_authorization", redirect_uri: `${bridgeUrl}/api/v1/integrations/kommo/oauth/callback` });
  expect(JSON.stringify(integration)).not.toContain(clientSecret);
  const account = sim.kommo.createAccount({ subdomain, clientId, clientSecret, redirectUri: integration.redirect_uri, accessTtlSeconds: opts.accessTtlSeconds });

  // Authorize: Herald → Kommo's consent (approved) → Herald's callback over HTTP.
  const auth = await authorizeRoute(request(`/api/v1/integrations/kommo/${integration.id}/authorize`, { key }), params({ id: integration.id }));
  expect(auth.status).toBe(302);
  const consent = await fetch(auth.headers.get("location")!, { redirect: "manual" });
  expect(consent.status).toBe(302);
  const callbackUrl = consent.headers.get("location")!;
  const back = await fetch(callbackUrl, { redirect: "manual" });
  expect(back.status).toBe(302);
  expect(back.headers.get("location")).toContain(`/integrations?tab=kommo&id=${integration.id}`);
  // The state is single use.
  const again = await fetch(callbackUrl, { redirect: "manual" });
  expect(again.status).toBe(400);
  expect(((await again.json()) as J).error.message).toMatch(/already used/);

  const apiKey = `us_${randomBytes(16).toString("hex")}`;
  const unisender = sim.unisender.createAccount({ apiKey, lists: ["11", "12"] });
  const set = await unisenderRoute(request(`/api/v1/integrations/kommo/${integration.id}/unisender`, { method: "PUT", key, body: { api_key: apiKey, list_ids: ["11"] } }), params({ id: integration.id }));
  expect(set.status).toBe(200);
  const active = (await set.json()) as J;
  expect(active).toMatchObject({ status: "active", unisender: { api_key_set: true, list_ids: ["11"], delete_mode: "exclude" } });
  expect(JSON.stringify(active)).not.toContain(apiKey);
  return { ctx, key, subdomain, clientSecret, apiKey, account, unisender, integration: active, id: integration.id as string };
}

