import { randomUUID } from "node:crypto";
import amqp, { type Channel, type ChannelModel } from "amqplib";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as forwardRoute } from "@/app/api/admin/call/b2b/forward/route";
import { POST as hangupRoute } from "@/app/api/admin/call/b2b/hangup/route";
import { POST as ingestRoute } from "@/app/api/call-events/route";
import { GET as callRoute } from "@/app/api/v1/calls/[id]/route";
import { GET as countersRoute } from "@/app/api/v1/calls/counters/route";
import { GET as callsRoute } from "@/app/api/v1/calls/route";
import { DELETE as deleteNumberRoute, PATCH as patchNumberRoute } from "@/app/api/v1/telephony/numbers/[id]/route";
import { GET as numbersRoute, POST as addNumberRoute } from "@/app/api/v1/telephony/numbers/route";
import { GET as tokenStatusRoute, POST as rotateTokenRoute } from "@/app/api/v1/telephony/token/route";
import { closeDb, getDb } from "@/db";
import { schools } from "@/db/schema";
import { workflows } from "@/inngest/workflows";
import { createApiKey } from "@/lib/auth/api-keys";
import type { Scope } from "@/lib/auth/permissions";
import { closeBroker, DEFAULT_RABBITMQ_URL } from "@/lib/broker/rabbitmq";
import { startJobEngine, stopJobEngine } from "@/lib/jobs/job-engine";
import { createTestDatabase } from "@/lib/server/test-database";
import { makeContext, waitFor } from "@/lib/test/factories";
import type { TenantContext } from "@/lib/tenancy/context";
import { rotateTelephonyToken } from "./tokens";

// Own database: the job engine here publishes commands, and no other test file's engine may.
const commandsQueue = `herald-test-call-commands-${randomUUID().slice(0, 8)}`;
const eventsQueue = `herald-test-call-events-${randomUUID().slice(0, 8)}`;
let isolated: Awaited<ReturnType<typeof createTestDatabase>>;
let ctx: TenantContext;
let telephonyToken: string;
let writeKey: string;
let readKey: string;
let admin: ChannelModel;
let ch: Channel;

type Json = Record<string, any>;  
type Handler = (req: NextRequest, route: { params: Promise<any> }) => Promise<Response>;  

beforeAll(async () => {
  isolated = await createTestDatabase();
  await closeDb();
  process.env.DATABASE_URL = isolated.url;
  process.env.HERALD_CALL_COMMANDS_QUEUE = commandsQueue;
  process.env.HERALD_CALL_EVENTS_QUEUE = eventsQueue;
  ctx = await makeContext("admin");
  telephonyToken = (await rotateTelephonyToken(ctx)).token;
  writeKey = (await createApiKey(ctx, { name: "w", scopes: ["calls:read", "calls:write"] as Scope[] })).key;
  readKey = (await createApiKey(ctx, { name: "r", scopes: ["calls:read"] })).key;
  admin = await amqp.connect(process.env.RABBITMQ_URL ?? DEFAULT_RABBITMQ_URL);
  ch = await admin.createChannel();
  // Declared up front (same arguments as the publisher) so polling it before the first publish is safe.
  await ch.assertQueue(commandsQueue, { durable: true });
  await startJobEngine({ workflows, runWorkers: true });
}, 60_000);

afterAll(async () => {
  await stopJobEngine();
  await ch?.deleteQueue(commandsQueue).catch(() => {});
  await ch?.deleteQueue(eventsQueue).catch(() => {});
  await admin?.close().catch(() => {});
  await closeBroker();
  await closeDb();
  await isolated?.drop();
});

async function call(
  handler: Handler,
  method: string,
  path: string,
  opts: { key?: string; body?: unknown; params?: Record<string, string>; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.key !== undefined) headers.authorization = `Bearer ${opts.key}`;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const res = await handler(
    new NextRequest(`http://herald.test${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) }),
    { params: Promise.resolve(opts.params ?? {}) },
  );
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Json };
}

async function event(body: Json) {
  const res = await call(ingestRoute, "POST", "/api/call-events", { body, headers: { "x-api-token": telephonyToken } });
  expect(res.status).toBe(202);
}

async function makeSchool(name: string, tenantId = ctx.tenantId) {
  const [s] = await getDb()
    .insert(schools)
    .values({ tenantId, name, slug: `${name.toLowerCase().replace(/\W+/g, "-")}-${randomUUID().slice(0, 6)}`, type: "primary", city: "Baku" })
    .returning();
  return s!;
}

describe("number pool API", () => {
  it("adds, assigns, releases and removes numbers with validation and tenant checks", async () => {
    const school = await makeSchool("Number School");
    const foreign = await makeSchool("Foreign School", (await makeContext("owner")).tenantId);

    const created = await call(addNumberRoute, "POST", "/api/v1/telephony/numbers", { key: writeKey, body: { number: "+994125550100", label: "Front desk" } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ number: "+994125550100", label: "Front desk", status: "free", school: null });

    expect((await call(addNumberRoute, "POST", "/api/v1/telephony/numbers", { key: writeKey, body: { number: "+994125550100" } })).status).toBe(409);
    const bad = await call(addNumberRoute, "POST", "/api/v1/telephony/numbers", { key: writeKey, body: { number: "0125550100" } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0].path).toBe("number");
    expect((await call(addNumberRoute, "POST", "/api/v1/telephony/numbers", { key: readKey, body: { number: "+994125550101" } })).status).toBe(403);

    const id = created.body.id as string;
    const crossTenant = await call(patchNumberRoute, "PATCH", `/api/v1/telephony/numbers/${id}`, { key: writeKey, params: { id }, body: { school_id: foreign.id } });
    expect(crossTenant.status).toBe(422);
    expect(crossTenant.body.error.details[0].path).toBe("school_id");

    const assigned = await call(patchNumberRoute, "PATCH", `/api/v1/telephony/numbers/${id}`, { key: writeKey, params: { id }, body: { school_id: school.id } });
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({ status: "assigned", school: { id: school.id, name: "Number School" } });
    expect(assigned.body.assigned_at).not.toBeNull();

    const listed = await call(numbersRoute, "GET", "/api/v1/telephony/numbers?status=assigned", { key: readKey });
    expect(listed.body.data.map((n: Json) => n.number)).toContain("+994125550100");
    const free = await call(numbersRoute, "GET", "/api/v1/telephony/numbers?status=free", { key: readKey });
    expect(free.body.data.map((n: Json) => n.number)).not.toContain("+994125550100");

    const released = await call(patchNumberRoute, "PATCH", `/api/v1/telephony/numbers/${id}`, { key: writeKey, params: { id }, body: { school_id: null } });
    expect(released.body).toMatchObject({ status: "free", school: null, assigned_at: null });

    expect((await call(deleteNumberRoute, "DELETE", "/api/v1/telephony/numbers/x", { key: writeKey, params: { id: "x" } })).status).toBe(404);
    expect((await call(deleteNumberRoute, "DELETE", `/api/v1/telephony/numbers/${id}`, { key: writeKey, params: { id } })).status).toBe(204);
    expect((await call(deleteNumberRoute, "DELETE", `/api/v1/telephony/numbers/${id}`, { key: writeKey, params: { id } })).status).toBe(404);
  });
});

describe("call log API", () => {
  it("lists calls with filters and cursor pagination, shows a call's timeline and live counters", async () => {
    const school = await makeSchool("Log School");
    await call(addNumberRoute, "POST", "/api/v1/telephony/numbers", { key: writeKey, body: { number: "+994125550200", school_id: school.id } });
    const at = (s: number) => new Date(Date.now() - 3600_000 + s * 1000).toISOString();
    // The events' own UTC days (they may fall on yesterday shortly after midnight).
    const firstDay = at(0).slice(0, 10);
    const lastDay = at(300).slice(0, 10);
    const answered = `log-a-${randomUUID().slice(0, 6)}`;
    const missed = `log-m-${randomUUID().slice(0, 6)}`;
    const other = `log-o-${randomUUID().slice(0, 6)}`;
    const live = `log-l-${randomUUID().slice(0, 6)}`;
    const to = "+994125550200";
    await event({ call_id: answered, from_number: "+994501000001", to_number: to, event_type: "call_started", timestamp: at(0) });
    await event({ call_id: answered, from_number: "+994501000001", to_number: to, event_type: "call_answered", timestamp: at(5) });
    await event({ call_id: answered, from_number: "+994501000001", to_number: to, event_type: "call_ended", timestamp: at(65), duration: 60 });
    await event({ call_id: missed, from_number: "+994501000002", to_number: to, event_type: "call_missed", timestamp: at(100) });
    await event({ call_id: other, from_number: "+994501000003", to_number: "+994129999999", event_type: "call_failed", timestamp: at(200) });
    await event({ call_id: live, from_number: "+994501000004", to_number: to, event_type: "call_started", timestamp: at(300) });

    const bySchool = await call(callsRoute, "GET", `/api/v1/calls?school_id=${school.id}`, { key: readKey });
    expect(bySchool.status).toBe(200);
    expect(bySchool.body.data.map((c: Json) => c.call_id)).toEqual([live, missed, answered]);
    const a = bySchool.body.data.find((c: Json) => c.call_id === answered);
    expect(a).toMatchObject({ outcome: "answered", status: "ended", duration_seconds: 60, school: { name: "Log School" }, event_count: 3 });

    const outcome = async (o: string) =>
      (await call(callsRoute, "GET", `/api/v1/calls?outcome=${o}`, { key: readKey })).body.data.map((c: Json) => c.call_id);
    expect(await outcome("missed")).toEqual([missed]);
    expect(await outcome("failed")).toEqual([other]);
    expect(await outcome("active")).toEqual([live]);
    const byNumber = await call(callsRoute, "GET", "/api/v1/calls?number=%2B994501000003", { key: readKey });
    expect(byNumber.body.data.map((c: Json) => c.call_id)).toEqual([other]);
    const byDate = await call(callsRoute, "GET", `/api/v1/calls?from=${firstDay}&to=${lastDay}`, { key: readKey });
    expect(byDate.body.data.length).toBeGreaterThanOrEqual(4);
    const beforeToday = await call(callsRoute, "GET", "/api/v1/calls?to=2000-01-01", { key: readKey });
    expect(beforeToday.body.data).toEqual([]);
    expect((await call(callsRoute, "GET", "/api/v1/calls?outcome=great", { key: readKey })).status).toBe(422);

    const page1 = await call(callsRoute, "GET", `/api/v1/calls?school_id=${school.id}&limit=2`, { key: readKey });
    expect(page1.body.data).toHaveLength(2);
    const page2 = await call(callsRoute, "GET", `/api/v1/calls?school_id=${school.id}&limit=2&cursor=${page1.body.next_cursor}`, { key: readKey });
    expect(page2.body.data.map((c: Json) => c.call_id)).toEqual([answered]);
    expect(page2.body.next_cursor).toBeNull();

    const detail = await call(callRoute, "GET", `/api/v1/calls/${a.id}`, { key: readKey, params: { id: a.id } });
    expect(detail.body.events.map((e: Json) => e.event_type)).toEqual(["call_started", "call_answered", "call_ended"]);
    expect(detail.body.events[2]).toMatchObject({ duration: 60 });
    expect(["queued", "published"]).toContain(detail.body.events[0].publish_status);
    expect((await call(callRoute, "GET", "/api/v1/calls/nope", { key: readKey, params: { id: "nope" } })).status).toBe(404);
    const stranger = await createApiKey(await makeContext("owner"), { name: "s", scopes: ["calls:read"] });
    expect((await call(callRoute, "GET", `/api/v1/calls/${a.id}`, { key: stranger.key, params: { id: a.id } })).status).toBe(404);

    const counters = await call(countersRoute, "GET", "/api/v1/calls/counters", { key: readKey });
    expect(counters.status).toBe(200);
    expect(counters.body.active_calls).toBe(1);
    // "Today" is the UTC day of each call's start; shortly after midnight some calls started yesterday.
    const isToday = (s: number) => at(s).slice(0, 10) === new Date().toISOString().slice(0, 10);
    expect(counters.body.today).toEqual({
      total: [0, 100, 200, 300].filter(isToday).length,
      answered: isToday(0) ? 1 : 0,
      missed: isToday(100) ? 1 : 0,
      failed: isToday(200) ? 1 : 0,
    });
    await waitFor(async () => {
      const c = await call(countersRoute, "GET", "/api/v1/calls/counters", { key: readKey });
      return c.body.publish.queued === 0;
    });
    // Once the KPI says nothing awaits publishing, the list and the drawer say "published" too.
    const listed = await call(callsRoute, "GET", `/api/v1/calls?school_id=${school.id}`, { key: readKey });
    expect(listed.body.data.map((c: Json) => c.publish_status)).toEqual(["published", "published", "published"]);
    const published = await call(callsRoute, "GET", `/api/v1/calls?school_id=${school.id}&publish_status=published`, { key: readKey });
    expect(published.body.data).toHaveLength(3);
    const queued = await call(callsRoute, "GET", `/api/v1/calls?school_id=${school.id}&publish_status=queued`, { key: readKey });
    expect(queued.body.data).toEqual([]);
    const drawer = await call(callRoute, "GET", `/api/v1/calls/${a.id}`, { key: readKey, params: { id: a.id } });
    expect(drawer.body.events.map((e: Json) => e.publish_status)).toEqual(["published", "published", "published"]);
  });
});

describe("operator commands", () => {
  it("forwards and hangs up a live call: recorded, audited, published in order on call-commands", async () => {
    const callId = `cmd-${randomUUID().slice(0, 6)}`;
    await event({ call_id: callId, from_number: "+994501000009", to_number: "+994125550300", event_type: "call_started", timestamp: new Date().toISOString() });

    const missing = await call(forwardRoute, "POST", "/api/admin/call/b2b/forward", { key: writeKey, body: { call_id: "nope", to_number: "+994125550301" } });
    expect(missing.status).toBe(404);
    const badNumber = await call(forwardRoute, "POST", "/api/admin/call/b2b/forward", { key: writeKey, body: { call_id: callId, to_number: "301" } });
    expect(badNumber.status).toBe(422);
    expect((await call(hangupRoute, "POST", "/api/admin/call/b2b/hangup", { key: readKey, body: { call_id: callId } })).status).toBe(403);
    expect((await call(hangupRoute, "POST", "/api/admin/call/b2b/hangup", { body: { call_id: callId } })).status).toBe(401);

    const fwd = await call(forwardRoute, "POST", "/api/admin/call/b2b/forward", { key: writeKey, body: { call_id: callId, to_number: "+994125550301" } });
    expect(fwd.status).toBe(202);
    expect(fwd.body).toMatchObject({ status: "queued", command: { command: "forward", to_number: "+994125550301", call_id: callId } });
    const hang = await call(hangupRoute, "POST", "/api/admin/call/b2b/hangup", { key: writeKey, body: { call_id: callId } });
    expect(hang.status).toBe(202);

    const got: Json[] = [];
    await waitFor(async () => {
      const m = await ch.get(commandsQueue, { noAck: true });
      if (m) got.push(JSON.parse(m.content.toString()));
      return got.length >= 2;
    }, 20_000, 100);
    expect(got.map((m) => m.command)).toEqual(["forward", "hangup"]);
    expect(got[0]).toMatchObject({ call_id: callId, to_number: "+994125550301", tenant_id: ctx.tenantId, command_id: fwd.body.command.id });

    await event({ call_id: callId, from_number: "+994501000009", to_number: "+994125550300", event_type: "call_ended", timestamp: new Date().toISOString(), duration: 3 });
    const ended = await call(hangupRoute, "POST", "/api/admin/call/b2b/hangup", { key: writeKey, body: { call_id: callId } });
    expect(ended.status).toBe(409);

    const list = await call(callsRoute, "GET", `/api/v1/calls?number=%2B994501000009`, { key: readKey });
    const detail = await call(callRoute, "GET", `/api/v1/calls/${list.body.data[0].id}`, { key: readKey, params: { id: list.body.data[0].id } });
    expect(detail.body.commands.map((c: Json) => [c.command, c.publish_status])).toEqual([
      ["forward", "published"],
      ["hangup", "published"],
    ]);
  });
});

describe("telephony token API", () => {
  it("shows the token's status to readers and refuses minting with an API key", async () => {
    const status = await call(tokenStatusRoute, "GET", "/api/v1/telephony/token", { key: readKey });
    expect(status.body).toMatchObject({ active: true, prefix: telephonyToken.slice(0, 12) });
    expect(JSON.stringify(status.body)).not.toContain(telephonyToken);
    expect((await call(rotateTokenRoute, "POST", "/api/v1/telephony/token", { key: writeKey })).status).toBe(403);
  });
});
