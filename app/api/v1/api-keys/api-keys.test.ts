import { afterAll, describe, expect, it } from "vitest";
import { closeDb } from "@/db";
import { createApiKey } from "@/lib/auth/api-keys";
import { makeContext, makeUser } from "@/lib/test/factories";
import { params, request, sessionCookie } from "@/lib/test/http";
import { GET as me } from "../me/route";
import { DELETE as revoke, GET as getOne } from "./[id]/route";
import { GET as list, POST as create } from "./route";

afterAll(() => closeDb());

describe("API keys", () => {
  it("an admin creates a key that is shown once, authenticates, and answers 401 once revoked", async () => {
    const ctx = await makeContext("admin");
    const cookie = await sessionCookie(ctx.userId, ctx.tenantSlug);
    const res = await create(request("/api/v1/api-keys", { method: "POST", cookie, body: { name: "billing", scopes: ["messages:send"] } }), params({}));
    expect(res.status).toBe(201);
    const created = await res.json();
    expect(created.key).toMatch(/^hk_/);
    expect(created.key.startsWith(created.prefix)).toBe(true);

    const listed = await (await list(request("/api/v1/api-keys", { cookie }), params({}))).json();
    expect(listed.data).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(created.key);
    expect(listed.data[0]).not.toHaveProperty("key_hash");

    const who = await me(request("/api/v1/me", { key: created.key }), params({}));
    expect(who.status).toBe(200);
    expect((await who.json()).tenant.id).toBe(ctx.tenantId);

    expect((await revoke(request(`/api/v1/api-keys/${created.id}`, { method: "DELETE", cookie }), params({ id: created.id }))).status).toBe(204);
    const after = await me(request("/api/v1/me", { key: created.key }), params({}));
    expect(after.status).toBe(401);
    expect((await after.json()).error.code).toBe("unauthorized");
  });

  it("refuses viewers, keys, and other tenants", async () => {
    const ctx = await makeContext("owner");
    const viewer = await makeUser({ tenantId: ctx.tenantId, role: "viewer" });
    const viewerCookie = await sessionCookie(viewer.id);
    const denied = await create(request("/api/v1/api-keys", { method: "POST", cookie: viewerCookie, body: { name: "x", scopes: ["messages:send"] } }), params({}));
    expect(denied.status).toBe(403);
    expect((await denied.json()).error.code).toBe("forbidden");

    const key = await createApiKey(ctx, { name: "k", scopes: ["messages:send", "configs:write"] });
    const byKey = await create(request("/api/v1/api-keys", { method: "POST", key: key.key, body: { name: "x", scopes: ["messages:send"] } }), params({}));
    expect(byKey.status).toBe(403);

    const other = await makeContext("owner");
    const otherKey = await createApiKey(other, { name: "theirs", scopes: ["messages:read"] });
    const cookie = await sessionCookie(ctx.userId);
    const read = await getOne(request(`/api/v1/api-keys/${otherKey.id}`, { cookie }), params({ id: otherKey.id }));
    expect(read.status).toBe(404);
    const body = await read.json();
    expect(JSON.stringify(body)).not.toContain("theirs");
    expect((await revoke(request(`/api/v1/api-keys/${otherKey.id}`, { method: "DELETE", cookie }), params({ id: otherKey.id }))).status).toBe(404);
    expect((await getOne(request(`/api/v1/api-keys/not-a-uuid`, { cookie }), params({ id: "not-a-uuid" }))).status).toBe(404);
  });

  it.each([
    ["malformed JSON", { rawBody: "{nope", headers: { "content-type": "application/json" } }, 400, "invalid_json"],
    ["empty body", { rawBody: "" }, 400, "invalid_json"],
    ["missing name", { body: { scopes: ["messages:send"] } }, 422, "validation_failed"],
    ["unknown scope", { body: { name: "x", scopes: ["root"] } }, 422, "validation_failed"],
    ["oversized body", { body: { name: "x".repeat(2 * 1024 * 1024), scopes: ["messages:send"] } }, 413, "payload_too_large"],
  ] as const)("answers %s with %i", async (_label, init, status, code) => {
    const ctx = await makeContext("admin");
    const cookie = await sessionCookie(ctx.userId);
    const res = await create(request("/api/v1/api-keys", { method: "POST", cookie, ...init }), params({}));
    expect(res.status).toBe(status);
    const body = await res.json();
    expect(body.error.code).toBe(code);
    expect(typeof body.error.message).toBe("string");
    if (status === 422) expect(body.error.details[0].path).toMatch(/^(name|scopes(\[0\])?)$/);
  });

  it("answers 401 without credentials and for a malformed Authorization header", async () => {
    expect((await me(request("/api/v1/me"), params({}))).status).toBe(401);
    expect((await me(request("/api/v1/me", { headers: { authorization: "Basic abc" } }), params({}))).status).toBe(401);
    expect((await me(request("/api/v1/me", { key: "hk_made_up" }), params({}))).status).toBe(401);
  });
});
