// The message log's CSV export and search: the same filters as the list, a hard cap, ids findable.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb } from "@/db";
import { createApiKey } from "@/lib/auth/api-keys";
import { makeContext } from "@/lib/test/factories";
import { queueMessages } from "@/lib/test/delivery";
import { params, request } from "@/lib/test/http";
import { GET as list } from "../route";
import { GET as exportCsv } from "./route";

afterAll(async () => {
  await closeDb();
  delete process.env.HERALD_MESSAGE_EXPORT_MAX_ROWS;
});

let key: string;
let ids: string[];
beforeAll(async () => {
  const ctx = await makeContext("owner");
  key = (await createApiKey(ctx, { name: "read", scopes: ["messages:read"] })).key;
  const sms = Array.from({ length: 5 }, (_, i) => ({ channel: "sms" as const, route: [], recipient: `+4670000000${i}`, payload: { body: "hi" } }));
  const email = { channel: "email" as const, route: [], recipient: "=cmd|' /C calc'!A0@example.com", payload: { subject: "x" } };
  ids = await queueMessages(ctx, [...sms, email]);
});

async function download(qs: string) {
  const res = await exportCsv(request(`/api/v1/messages/export${qs}`, { key }), params({}));
  return { res, text: await res.text() };
}

describe("GET /api/v1/messages/export", () => {
  it("streams the filtered log as CSV with a header row, formulas neutralised", async () => {
    const { res, text } = await download("?channel=email");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="messages-.+\.csv"$/);
    const lines = text.trimEnd().split("\r\n");
    expect(lines[0]).toMatch(/^id,created_at,channel,direction,status,/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`${ids[5]},`);
    expect(lines[1]).toContain(`'=cmd|' /C calc'!A0@example.com`);
  });

  it("stops at the hard cap, newest first", async () => {
    process.env.HERALD_MESSAGE_EXPORT_MAX_ROWS = "3";
    try {
      const { res, text } = await download("?channel=sms");
      expect(res.headers.get("x-herald-export-limit")).toBe("3");
      const rows = text.trimEnd().split("\r\n").slice(1);
      expect(rows).toHaveLength(3);
    } finally {
      delete process.env.HERALD_MESSAGE_EXPORT_MAX_ROWS;
    }
  });

  it("refuses bad filters with 422, not a broken file", async () => {
    const { res } = await download("?since=yesterday");
    expect(res.status).toBe(422);
  });
});

describe("GET /api/v1/messages search and totals", () => {
  it("finds a message by its id and counts matches when asked", async () => {
    const res = await list(request(`/api/v1/messages?q=${ids[2]}&include_total=true`, { key }), params({}));
    const body = (await res.json()) as { data: { id: string }[]; total: number; total_capped: boolean };
    expect(body.data.map((m) => m.id)).toEqual([ids[2]]);
    expect(body).toMatchObject({ total: 1, total_capped: false });
    const all = (await (await list(request(`/api/v1/messages?channel=sms&limit=2&include_total=true`, { key }), params({}))).json()) as { data: unknown[]; total: number };
    expect(all.data).toHaveLength(2);
    expect(all.total).toBe(5);
  });
});
