// Concurrent writes to one row answer 2xx/404/409 quickly, never 500 and never after a lock wait
// (parallel requests through the real route handlers on a real Postgres).
import { afterAll, describe, expect, it } from "vitest";
import { closeDb } from "@/db";
import { DELETE as deleteConfig } from "@/app/api/communication/[provider]/configs/[id]/route";
import { POST as rotateToken } from "@/app/api/v1/telephony/token/route";
import { DELETE as deleteEndpoint, PATCH as patchEndpoint } from "@/app/api/v1/webhook-endpoints/[id]/route";
import { POST as createEndpoint } from "@/app/api/v1/webhook-endpoints/route";
import { createApiKey } from "@/lib/auth/api-keys";
import { makeContext } from "@/lib/test/factories";
import { params, request, sessionCookie } from "@/lib/test/http";
import { makeConfig } from "@/lib/test/provider-configs";

process.env.HERALD_ALLOW_LOOPBACK_WEBHOOKS = "true";

afterAll(async () => {
  await closeDb();
});

const PARALLEL = 12;

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - started };
}

describe("concurrent writes to one row", () => {
  it("8 telephony-token rotations at once all succeed in turn; one token stays active", async () => {
    const ctx = await makeContext("admin");
    const cookie = await sessionCookie(ctx.userId, ctx.tenantSlug);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => rotateToken(request("/api/v1/telephony/token", { method: "POST", cookie }), params({}))),
    );
    const statuses = results.map((r) => r.status);
    // Serialised, each rotation is a valid one: all 201 (without the lock: 500s, or 409s after the mapper).
    expect(statuses, statuses.join(",")).toEqual(Array(8).fill(201));
    const tokens = await Promise.all(results.filter((r) => r.status === 201).map(async (r) => ((await r.json()) as { token: string }).token));
    expect(new Set(tokens).size).toBe(tokens.length);
    const { getTelephonyTokenStatus } = await import("@/lib/telephony/tokens");
    expect((await getTelephonyTokenStatus(ctx)).active).toBe(true);
  });

  it(`${PARALLEL} DELETEs of one provider config: one 200, the rest 409, without waiting on each other`, async () => {
    const ctx = await makeContext("owner");
    const key = (await createApiKey(ctx, { name: "cfg", scopes: ["configs:read", "configs:write"] })).key;
    const config = await makeConfig(ctx, "elks");
    const { value: results, ms } = await timed(() =>
      Promise.all(
        Array.from({ length: PARALLEL }, () =>
          deleteConfig(request(`/api/communication/elks/configs/${config.id}`, { method: "DELETE", key }), params({ provider: "elks", id: config.id })),
        ),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s !== 200).every((s) => s === 409), statuses.join(",")).toBe(true);
    expect(ms, `took ${Math.round(ms)} ms`).toBeLessThan(3000);
  });

  it(`${PARALLEL} DELETEs and PATCHes of one webhook endpoint: 204/404/200, never 500, without a lock wait`, async () => {
    const ctx = await makeContext("owner");
    const key = (await createApiKey(ctx, { name: "wh", scopes: ["webhooks:read", "webhooks:write"] })).key;
    const body = { url: "http://127.0.0.1:9/hooks", event_types: ["message.delivered.v1"] };
    const ep = (await (await createEndpoint(request("/api/v1/webhook-endpoints", { method: "POST", key, body }), params({}))).json()) as { id: string };
    const path = `/api/v1/webhook-endpoints/${ep.id}`;
    const { value: patches, ms: patchMs } = await timed(() =>
      Promise.all(
        Array.from({ length: PARALLEL }, (_, i) =>
          patchEndpoint(request(path, { method: "PATCH", key, body: { description: `n${i}`, status: i % 2 ? "disabled" : "enabled" } }), params({ id: ep.id })),
        ),
      ),
    );
    expect(patches.map((r) => r.status).every((s) => s === 200), patches.map((r) => r.status).join(",")).toBe(true);
    expect(patchMs, `took ${Math.round(patchMs)} ms`).toBeLessThan(3000);
    const { value: deletes, ms } = await timed(() =>
      Promise.all(Array.from({ length: PARALLEL }, () => deleteEndpoint(request(path, { method: "DELETE", key }), params({ id: ep.id })))),
    );
    const statuses = deletes.map((r) => r.status);
    expect(statuses.filter((s) => s === 204)).toHaveLength(1);
    expect(statuses.filter((s) => s !== 204).every((s) => s === 404), statuses.join(",")).toBe(true);
    expect(ms, `took ${Math.round(ms)} ms`).toBeLessThan(3000);
  });
});
