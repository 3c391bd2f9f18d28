import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { auditLog } from "@/db/schema";
import { createApiKey } from "@/lib/auth/api-keys";
import { makeContext } from "@/lib/test/factories";
import { params, request } from "@/lib/test/http";
import { DELETE, GET as getOne, PATCH } from "./[id]/route";
import { GET as list, POST as create } from "./route";

afterAll(async () => {
  await closeDb();
});

type J = Record<string, any>;
const uniqueKey = () => `k-${randomBytes(4).toString("hex")}`;

describe("/api/v1/bus-bindings", () => {
  it("creates, lists, disables, deletes a tenant's binding; keys are unique across tenants", async () => {
    const ctx = await makeContext("owner");
    const other = await makeContext("owner");
    const key = (await createApiKey(ctx, { name: "cfg", scopes: ["configs:read", "configs:write"] })).key;
    const readOnly = (await createApiKey(ctx, { name: "ro", scopes: ["configs:read"] })).key;
    const otherKey = (await createApiKey(other, { name: "cfg", scopes: ["configs:read", "configs:write"] })).key;
    const k = uniqueKey();

    expect((await create(request("/api/v1/bus-bindings", { method: "POST", key: readOnly, body: { key: k } }), params({}))).status).toBe(403);
    const res = await create(request("/api/v1/bus-bindings", { method: "POST", key, body: { key: k.toUpperCase(), description: "Alerts" } }), params({}));
    expect(res.status).toBe(201);
    const b = (await res.json()) as J;
    expect(b).toMatchObject({ key: k, description: "Alerts", enabled: true, queue: expect.stringMatching(new RegExp(`\\.${k}$`)), routing_key: expect.stringMatching(new RegExp(`\\.${k}$`)) });

    // Another tenant cannot take the key, nor see or change the binding.
    const taken = await create(request("/api/v1/bus-bindings", { method: "POST", key: otherKey, body: { key: k } }), params({}));
    expect(taken.status).toBe(409);
    expect(((await taken.json()) as J).error.details).toEqual([{ path: "key", message: "Taken" }]);
    expect((await getOne(request(`/api/v1/bus-bindings/${b.id}`, { key: otherKey }), params({ id: b.id }))).status).toBe(404);
    expect((await PATCH(request(`/api/v1/bus-bindings/${b.id}`, { method: "PATCH", key: otherKey, body: { enabled: false } }), params({ id: b.id }))).status).toBe(404);
    expect((await DELETE(request(`/api/v1/bus-bindings/${b.id}`, { method: "DELETE", key: otherKey }), params({ id: b.id }))).status).toBe(404);
    expect(((await (await list(request("/api/v1/bus-bindings", { key: otherKey }), params({}))).json()) as J).data).toEqual([]);

    const listed = (await (await list(request("/api/v1/bus-bindings", { key: readOnly }), params({}))).json()) as J;
    expect(listed.data.map((x: J) => x.id)).toEqual([b.id]);
    expect(listed.consumer).toMatchObject({ status: expect.stringMatching(/^(ok|down|off)$/) });

    const off = await PATCH(request(`/api/v1/bus-bindings/${b.id}`, { method: "PATCH", key, body: { enabled: false } }), params({ id: b.id }));
    expect(((await off.json()) as J).enabled).toBe(false);
    expect((await DELETE(request(`/api/v1/bus-bindings/${b.id}`, { method: "DELETE", key }), params({ id: b.id }))).status).toBe(204);
    expect((await getOne(request(`/api/v1/bus-bindings/${b.id}`, { key }), params({ id: b.id }))).status).toBe(404);

    const audit = await getDb().select().from(auditLog).where(eq(auditLog.tenantId, ctx.tenantId));
    expect(audit.map((a) => a.action).filter((a) => a.startsWith("bus_binding."))).toEqual(["bus_binding.created", "bus_binding.disabled", "bus_binding.deleted"]);
  });

  it("refuses bad input with 4xx field errors", async () => {
    const ctx = await makeContext("owner");
    const key = (await createApiKey(ctx, { name: "cfg", scopes: ["configs:read", "configs:write"] })).key;
    const cases: [unknown, number, string?][] = [
      [{}, 422, "key"],
      [{ key: "a" }, 422, "key"],
      [{ key: "-starts-with-dash" }, 422, "key"],
      [{ key: "has.dot" }, 422, "key"],
      [{ key: "has*star" }, 422, "key"],
      [{ key: uniqueKey(), extra: 1 }, 422],
      [{ key: uniqueKey(), description: "x\u0000" }, 422, "description"],
    ];
    for (const [body, status, path] of cases) {
      const res = await create(request("/api/v1/bus-bindings", { method: "POST", key, body }), params({}));
      expect(res.status, JSON.stringify(body)).toBe(status);
      if (path) expect(((await res.json()) as J).error.details.map((d: J) => d.path)).toContain(path);
    }
    expect((await PATCH(request("/api/v1/bus-bindings/not-a-uuid", { method: "PATCH", key, body: { enabled: true } }), params({ id: "not-a-uuid" }))).status).toBe(404);
  });

  it("concurrent creates of one key make one binding; the rest answer 409", async () => {
    const [a, b] = await Promise.all([makeContext("owner"), makeContext("owner")]);
    const keys = await Promise.all([a, b].map(async (ctx) => (await createApiKey(ctx, { name: "cfg", scopes: ["configs:write"] })).key));
    const k = uniqueKey();
    const statuses = await Promise.all(
      Array.from({ length: 8 }, (_, i) => create(request("/api/v1/bus-bindings", { method: "POST", key: keys[i % 2], body: { key: k } }), params({})).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(7);
  });
});
