import { and, eq } from "drizzle-orm";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { callEventLogs, calls, outboxEvents, schools } from "@/db/schema";
import { makeContext } from "@/lib/test/factories";
import { addNumber } from "@/lib/telephony/numbers";
import { rotateTelephonyToken } from "@/lib/telephony/tokens";
import type { TenantContext } from "@/lib/tenancy/context";
import { POST } from "./route";

let ctx: TenantContext;
let token: string;
let seq = 0;

beforeAll(async () => {
  ctx = await makeContext("admin");
  token = (await rotateTelephonyToken(ctx)).token;
});
afterAll(async () => {
  await closeDb();
});

function uniqueCallId() {
  return `call-${Date.now().toString(36)}-${++seq}`;
}

function valid(overrides: Record<string, unknown> = {}) {
  return {
    call_id: uniqueCallId(),
    from_number: "+994501234567",
    to_number: "+994701234567",
    event_type: "call_ended",
    timestamp: "2025-11-30T10:00:00Z",
    duration: 40,
    ...overrides,
  };
}

async function post(body: unknown, headers: Record<string, string> = { "x-api-token": token }) {
  const req = new NextRequest("http://herald.test/api/call-events", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const res = await POST(req, { params: Promise.resolve({}) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };  
}

async function logsOf(callId: string) {
  return getDb()
    .select()
    .from(callEventLogs)
    .where(and(eq(callEventLogs.tenantId, ctx.tenantId), eq(callEventLogs.callId, callId)));
}

function omit(field: string) {
  const body: Record<string, unknown> = valid();
  delete body[field];
  return body;
}

describe("POST /api/call-events", () => {
  it("accepts a valid event: 202 queued, one log row and its outbox record", async () => {
    const body = valid();
    const res = await post(body);
    expect(res).toEqual({ status: 202, body: { status: "queued" } });
    const [log, ...rest] = await logsOf(body.call_id);
    expect(rest).toHaveLength(0);
    expect(log).toMatchObject({
      eventType: "call_ended",
      fromNumber: "+994501234567",
      toNumber: "+994701234567",
      durationSeconds: 40,
      publishStatus: "queued",
      payload: body,
    });
    expect(log!.occurredAt.toISOString()).toBe("2025-11-30T10:00:00.000Z");
    // The log row is the broker outbox row: due at once, unclaimed, no other record needed.
    expect(log!.nextAttemptAt).toBeInstanceOf(Date);
    expect(log!.claimedUntil).toBeNull();
    expect(await getDb().select().from(outboxEvents).where(eq(outboxEvents.id, log!.id))).toHaveLength(0);
  });

  it.each([
    ["call_started"],
    ["call_ringing"],
    ["call_answered"],
    ["call_forwarded"],
    ["call_missed"],
    ["call_failed"],
  ])("accepts %s without duration", async (event_type) => {
    const body = valid({ event_type });
    delete (body as Record<string, unknown>).duration;
    expect((await post(body)).status).toBe(202);
  });

  it("accepts a timestamp with a numeric offset and fractional seconds", async () => {
    const body = valid({ timestamp: "2025-11-30T14:00:00.250+04:00" });
    expect((await post(body)).status).toBe(202);
    const [log] = await logsOf(body.call_id);
    expect(log!.occurredAt.toISOString()).toBe("2025-11-30T10:00:00.250Z");
  });

  const invalid: [string, unknown, string, RegExp][] = [
    ["missing call_id", omit("call_id"), "call_id", /call_id is required/],
    ["missing from_number", omit("from_number"), "from_number", /from_number is required/],
    ["missing to_number", omit("to_number"), "to_number", /to_number is required/],
    ["missing event_type", omit("event_type"), "event_type", /event_type is required/],
    ["missing timestamp", omit("timestamp"), "timestamp", /timestamp is required/],
    ["call_ended without duration", omit("duration"), "duration", /required when event_type is call_ended/],
    ["call_ended with null duration", valid({ duration: null }), "duration", /required when event_type is call_ended/],
    ["duration on call_started", valid({ event_type: "call_started" }), "duration", /only allowed when event_type is call_ended/],
    ["duration on call_answered", valid({ event_type: "call_answered", duration: 0 }), "duration", /only allowed/],
    ["negative duration", valid({ duration: -1 }), "duration", /must not be negative/],
    ["fractional duration", valid({ duration: 1.5 }), "duration", /whole number/],
    ["string duration", valid({ duration: "40" }), "duration", /whole number/],
    ["from_number without +", valid({ from_number: "994501234567" }), "from_number", /E\.164/],
    ["to_number with spaces", valid({ to_number: "+994 70 123 45 67" }), "to_number", /E\.164/],
    ["to_number too long", valid({ to_number: "+9945012345678901" }), "to_number", /E\.164/],
    ["from_number leading zero", valid({ from_number: "+0501234567" }), "from_number", /E\.164/],
    ["numeric phone", valid({ from_number: 994501234567 }), "from_number", /must be a string/],
    ["timestamp without zone", valid({ timestamp: "2025-11-30T10:00:00" }), "timestamp", /ISO 8601 with a time zone/],
    ["date-only timestamp", valid({ timestamp: "2025-11-30" }), "timestamp", /ISO 8601/],
    ["garbage timestamp", valid({ timestamp: "yesterday" }), "timestamp", /ISO 8601/],
    ["epoch timestamp", valid({ timestamp: 1764496800 }), "timestamp", /must be a string/],
    ["unknown event_type", valid({ event_type: "call_exploded" }), "event_type", /must be one of/],
    ["empty call_id", valid({ call_id: "" }), "call_id", /must not be empty/],
  ];

  it.each(invalid)("rejects %s with 422 naming the field", async (_name, body, field, message) => {
    const res = await post(body);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("validation_failed");
    const detail = (res.body.error.details as { path: string; message: string }[]).find((d) => d.path === field);
    expect(detail?.message).toMatch(message);
    const callId = (body as { call_id?: unknown }).call_id;
    if (typeof callId === "string" && callId) expect(await logsOf(callId)).toHaveLength(0);
  });

  it("reports every missing field at once for an empty object", async () => {
    const res = await post({});
    expect(res.status).toBe(422);
    const paths = (res.body.error.details as { path: string }[]).map((d) => d.path).sort();
    expect(paths).toEqual(["call_id", "event_type", "from_number", "timestamp", "to_number"]);
  });

  it("answers 400 for a body that is not JSON", async () => {
    const res = await post("{not json");
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_json");
  });

  it.each([
    ["missing", {}],
    ["wrong", { "x-api-token": "htt_wrongwrongwrongwrongwrongwrongwrongwrong" }],
    ["not a telephony token", { "x-api-token": "hk_someapikey" }],
    ["in the Authorization header instead", { authorization: "Bearer PLACEHOLDER" }],
  ])("answers 401 for a %s token, before validating or writing anything", async (_name, headers) => {
    const h = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.replace("PLACEHOLDER", token)]));
    const body = valid({ timestamp: "not even a date" });
    const res = await post(body, h);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("unauthorized");
    expect(await logsOf(body.call_id)).toHaveLength(0);
  });

  it("stops accepting a rotated-out token at once", async () => {
    const other = await makeContext("admin");
    const first = (await rotateTelephonyToken(other)).token;
    expect((await post(valid(), { "x-api-token": first })).status).toBe(202);
    const second = (await rotateTelephonyToken(other)).token;
    expect((await post(valid(), { "x-api-token": first })).status).toBe(401);
    expect((await post(valid(), { "x-api-token": second })).status).toBe(202);
  });

  it("acknowledges a repeat of (call_id, event_type, timestamp) without a second row", async () => {
    const body = valid();
    expect((await post(body)).status).toBe(202);
    // Same instant written with another zone is the same event.
    expect((await post({ ...body, timestamp: "2025-11-30T12:00:00+02:00" })).body).toEqual({ status: "queued" });
    expect((await post(body)).status).toBe(202);
    const rows = await logsOf(body.call_id);
    expect(rows).toHaveLength(1);
    // Another timestamp is another event.
    expect((await post({ ...body, timestamp: "2025-11-30T10:00:01Z" })).status).toBe(202);
    expect(await logsOf(body.call_id)).toHaveLength(2);
  });

  it("keeps tenants apart: the same call_id in two tenants is two calls", async () => {
    const other = await makeContext("admin");
    const otherToken = (await rotateTelephonyToken(other)).token;
    const body = valid();
    await post(body);
    await post(body, { "x-api-token": otherToken });
    const rows = await getDb().select().from(callEventLogs).where(eq(callEventLogs.callId, body.call_id));
    expect(rows.map((r) => r.tenantId).sort()).toEqual([ctx.tenantId, other.tenantId].sort());
  });

  it("folds a call's events, in any arrival order, into one call record linked to the number's school", async () => {
    const [school] = await getDb()
      .insert(schools)
      .values({ tenantId: ctx.tenantId, name: "School 7", slug: `school-7-${seq}`, type: "secondary", city: "Baku" })
      .returning();
    await addNumber(ctx, { number: "+994125550007", school_id: school!.id });
    const call_id = uniqueCallId();
    const base = { call_id, from_number: "+994501112233", to_number: "+994125550007" };
    await post({ ...base, event_type: "call_ended", timestamp: "2025-11-30T10:05:00Z", duration: 240 });
    await post({ ...base, event_type: "call_started", timestamp: "2025-11-30T10:00:00Z" });
    await post({ ...base, event_type: "call_answered", timestamp: "2025-11-30T10:01:00Z" });
    await post({ ...base, to_number: "+994125550099", event_type: "call_forwarded", timestamp: "2025-11-30T10:02:00Z" });
    const [call] = await getDb().select().from(calls).where(and(eq(calls.tenantId, ctx.tenantId), eq(calls.callId, call_id)));
    expect(call).toMatchObject({
      schoolId: school!.id,
      toNumber: "+994125550007",
      forwardedTo: "+994125550099",
      durationSeconds: 240,
      outcome: "answered",
      eventCount: 4,
    });
    expect(call!.startedAt?.toISOString()).toBe("2025-11-30T10:00:00.000Z");
    expect(call!.firstEventAt.toISOString()).toBe("2025-11-30T10:00:00.000Z");
    expect(call!.lastEventAt.toISOString()).toBe("2025-11-30T10:05:00.000Z");

    const missed = uniqueCallId();
    await post({ call_id: missed, from_number: "+994501112233", to_number: "+994125550007", event_type: "call_started", timestamp: "2025-11-30T11:00:00Z" });
    await post({ call_id: missed, from_number: "+994501112233", to_number: "+994125550007", event_type: "call_ended", timestamp: "2025-11-30T11:00:30Z", duration: 0 });
    const [m] = await getDb().select().from(calls).where(and(eq(calls.tenantId, ctx.tenantId), eq(calls.callId, missed)));
    expect(m!.outcome).toBe("missed");
  });
});
