import { afterAll, describe, expect, it } from "vitest";
import { closeDb } from "@/db";
import { createApiKey } from "@/lib/auth/api-keys";
import { makeContext } from "@/lib/test/factories";
import { params, request } from "@/lib/test/http";
import { makeConfig } from "@/lib/test/provider-configs";
import { DELETE, PATCH } from "./[id]/route";
import { POST as preview } from "./preview/route";
import { GET as list, POST as create } from "./route";

afterAll(async () => {
  await closeDb();
});

describe("/api/v1/routes", () => {
  it("creates, lists, previews, reorders and deletes rules; reading needs configs:read, writing configs:write", async () => {
    const ctx = await makeContext("owner");
    const key = (await createApiKey(ctx, { name: "routes", scopes: ["configs:read", "configs:write"] })).key;
    const readOnly = (await createApiKey(ctx, { name: "ro", scopes: ["configs:read"] })).key;
    const elks = await makeConfig(ctx, "elks");
    const twilio = await makeConfig(ctx, "twilio");

    const body = { channel: "sms", name: "Sweden", match: { country_codes: ["se"] }, chain: [elks.id, twilio.id] };
    expect((await create(request("/api/v1/routes", { method: "POST", key: readOnly, body }), params({}))).status).toBe(403);
    const res = await create(request("/api/v1/routes", { method: "POST", key, body }), params({}));
    const rule = (await res.json()) as Record<string, any>;
    expect(res.status).toBe(201);
    expect(rule).toMatchObject({ position: 0, match: { country_codes: ["SE"] }, enabled: true });
    const rest = await create(request("/api/v1/routes", { method: "POST", key, body: { channel: "sms", name: "Rest", chain: [twilio.id] } }), params({}));
    const restRule = (await rest.json()) as Record<string, any>;
    expect(restRule.position).toBe(1);

    const bad = await create(request("/api/v1/routes", { method: "POST", key, body: { ...body, chain: [] } }), params({}));
    expect(bad.status).toBe(422);

    const pv = await preview(request("/api/v1/routes/preview", { method: "POST", key: readOnly, body: { channel: "sms", to: "+46701234567" } }), params({}));
    const pj = (await pv.json()) as Record<string, any>;
    expect(pv.status).toBe(200);
    expect(pj).toMatchObject({ source: "rule", rule: { name: "Sweden" } });
    expect(pj.chain.map((h: any) => h.config_id)).toEqual([elks.id, twilio.id]);

    const moved = await PATCH(request(`/api/v1/routes/${restRule.id}`, { method: "PATCH", key, body: { position: 0 } }), params({ id: restRule.id }));
    expect(((await moved.json()) as any).position).toBe(0);
    const listed = (await (await list(request("/api/v1/routes?channel=sms", { key: readOnly }), params({}))).json()) as any;
    expect(listed.data.map((r: any) => r.name)).toEqual(["Rest", "Sweden"]);
    expect(listed.channels).toEqual([expect.objectContaining({ channel: "sms", uses_defaults: false })]);

    expect((await DELETE(request(`/api/v1/routes/${restRule.id}`, { method: "DELETE", key }), params({ id: restRule.id }))).status).toBe(204);
    const after = (await (await list(request("/api/v1/routes", { key }), params({}))).json()) as any;
    expect(after.data.map((r: any) => [r.name, r.position])).toEqual([["Sweden", 0]]);
    expect(after.channels.find((c: any) => c.channel === "email").uses_defaults).toBe(true);
  });
});
