// OTP end to end: route handlers → Postgres → pg-boss delivery → provider simulator (HTTP).
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { startSimulator, type Simulator } from "@/e2e/simulator/server";
import { workflows } from "@/inngest/workflows";
import { setAlertSink, type Alert } from "@/lib/alerts/raise-alert";
import { createApiKey } from "@/lib/auth/api-keys";
import { startJobEngine, stopJobEngine } from "@/lib/jobs/job-engine";
import { logger } from "@/lib/logger";
import { shiftOtpClock } from "@/lib/otp/clock";
import { setOtpPolicy } from "@/lib/otp/policy";
import { makeContext, waitFor } from "@/lib/test/factories";
import { makeSimConfig } from "@/lib/test/delivery";
import { params, request } from "@/lib/test/http";
import type { OtpPolicyInput } from "@/lib/validations/otp";
import { POST as resendRoute } from "./[id]/resend/route";
import { POST as verifyRoute } from "./[id]/verify/route";
import { POST as unblockRoute } from "./blocks/[id]/unblock/route";
import { GET as blocksRoute } from "./blocks/route";
import { GET as statsRoute } from "./stats/route";
import { POST as createRoute } from "./route";

process.env.HERALD_DELIVERY_BACKOFF_MS = "50";

let sim: Simulator;
/** Every log line written while the tests ran (the code must be in none). */
const logLines: string[] = [];
/** Every response body the tests received. */
const responses: string[] = [];

beforeAll(async () => {
  sim = await startSimulator({ webhookDelayMs: 5, seed: 16 });
  logger.level = "debug";
  (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] = {
    write: (line: string) => {
      logLines.push(line);
      // A 500 in a test is easier to read with its cause.
      if (line.includes("unhandled error")) console.error(line.slice(0, 3000));
    },
  };
  await startJobEngine({ workflows, runWorkers: true });
});

afterEach(() => shiftOtpClock(0));

afterAll(async () => {
  await stopJobEngine();
  await sim.close();
  await closeDb();
});

const sql = () => getDb().$client;
let seq = 0;
/** A fresh Swedish mobile number per call (the default country is SE). */
const number = (prefix = "+4670") => `${prefix}${String(Date.now() % 1_000_000).padStart(6, "0")}${String(++seq % 100).padStart(2, "0")}`.slice(0, 12);

async function tenant(policy: OtpPolicyInput = {}, opts: { twoFactor?: boolean } = {}) {
  const ctx = await makeContext("owner");
  const { account } = await makeSimConfig(ctx, sim, "infobip", opts.twoFactor ? { overrides: { otp_via_2fa: true } } : {});
  // Throttles generous unless the test is about them.
  await setOtpPolicy(ctx, { limits: { destination_30s: 100, destination_hour: 100, destination_day: 100 }, ...policy });
  const key = (await createApiKey(ctx, { name: "otp", scopes: ["otp:send", "otp:verify", "configs:read", "configs:write", "usage:read"] })).key;
  return { ctx, key, account };
}

async function json(res: Response) {
  const text = await res.text();
  responses.push(text);
  return { res, body: JSON.parse(text) as Record<string, any> };
}

const create = async (key: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  json(await createRoute(request("/api/v1/otp", { method: "POST", key, body: { channel: "sms", ...body }, headers }), params({})));
const verify = async (key: string, id: string, code: string) =>
  json(await verifyRoute(request(`/api/v1/otp/${id}/verify`, { method: "POST", key, body: { code } }), params({ id })));
const resend = async (key: string, id: string) => json(await resendRoute(request(`/api/v1/otp/${id}/resend`, { method: "POST", key }), params({ id })));

/** The texts the simulated handset `to` received, oldest first. */
function received(to: string) {
  return sim
    .listMessages({ provider: "infobip" })
    .filter((m) => m.recipients[0] === to.replace(/^\+/, ""))
    .map((m) => String(m.meta.text));
}

async function codeSentTo(to: string, nth = 1): Promise<string> {
  const text = await waitFor(async () => received(to)[nth - 1], 20_000, 25);
  return /(\d{4,10})/.exec(text)![1]!;
}

describe("POST /api/v1/otp", () => {
  it("sends a code over SMS, stores only a masked body, verifies once", async () => {
    const { ctx, key } = await tenant();
    const to = number();
    const { res, body } = await create(key, { to });
    expect(res.status).toBe(201);
    expect(Object.keys(body).sort()).toEqual(["channel", "expires_at", "otp_id", "resend_available_at", "to"]);
    const code = await codeSentTo(to);
    expect(code).toHaveLength(6);
    expect(received(to)[0]).toBe(`Your code is ${code}`);
    const [m] = await sql()`select payload, status from messages where tenant_id = ${ctx.tenantId} and recipient = ${to}`;
    expect(m!.payload.body).toBe("Your code is ******");
    await waitFor(async () => (await sql()`select code_sealed is null as wiped from otp_codes where id = ${body.otp_id}`)[0]!.wiped);

    expect((await verify(key, body.otp_id, code === "000000" ? "111111" : "000000")).body).toEqual({ verified: false, attempts_remaining: 4, reason: "wrong_code" });
    expect((await verify(key, body.otp_id, code)).body).toEqual({ verified: true });
    expect((await verify(key, body.otp_id, code)).body).toEqual({ verified: false, attempts_remaining: 0, reason: "already_used" });
  });

  it("replays an Idempotency-Key without a second code, and refuses the key on another request", async () => {
    const { key } = await tenant();
    const to = number();
    const first = await create(key, { to }, { "Idempotency-Key": "otp-1" });
    const again = await create(key, { to }, { "Idempotency-Key": "otp-1" });
    expect(again.res.status).toBe(200);
    expect(again.res.headers.get("idempotency-replayed")).toBe("true");
    expect(again.body.otp_id).toBe(first.body.otp_id);
    expect((await create(key, { to, length: 8 }, { "Idempotency-Key": "otp-1" })).res.status).toBe(422);
    await codeSentTo(to);
    await new Promise((r) => setTimeout(r, 300));
    expect(received(to)).toHaveLength(1);
  });

  it("locks after five wrong codes", async () => {
    const { key } = await tenant();
    const to = number();
    const { body } = await create(key, { to });
    const code = await codeSentTo(to);
    const wrong = code === "999999" ? "888888" : "999999";
    for (const left of [4, 3, 2, 1, 0]) {
      expect((await verify(key, body.otp_id, wrong)).body).toEqual({ verified: false, attempts_remaining: left, reason: "wrong_code" });
    }
    expect((await verify(key, body.otp_id, code)).body).toEqual({ verified: false, attempts_remaining: 0, reason: "too_many_attempts" });
  });

  it("expires after ttl_seconds (OTP clock moved forward)", async () => {
    const { key } = await tenant();
    const to = number();
    const { body } = await create(key, { to, ttl_seconds: 60 });
    const code = await codeSentTo(to);
    shiftOtpClock(61_000);
    expect((await verify(key, body.otp_id, code)).body).toEqual({ verified: false, attempts_remaining: 5, reason: "expired" });
  });

  it("resend: respects the interval, sends a new code, and the old one stops working", async () => {
    const { key } = await tenant();
    const to = number();
    const { body } = await create(key, { to });
    const first = await codeSentTo(to);
    const early = await resend(key, body.otp_id);
    expect(early.res.status).toBe(429);
    expect(early.res.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(early.body.error.details.reason).toBe("resend_interval");
    shiftOtpClock(31_000);
    const again = await resend(key, body.otp_id);
    expect(again.res.status).toBe(200);
    const second = await codeSentTo(to, 2);
    if (second !== first) expect((await verify(key, body.otp_id, first)).body).toMatchObject({ verified: false, reason: "wrong_code" });
    expect((await verify(key, body.otp_id, second)).body).toEqual({ verified: true });
  });

  it("two concurrent correct verifications: exactly one verified:true", async () => {
    const { key } = await tenant();
    const to = number();
    const { body } = await create(key, { to });
    const code = await codeSentTo(to);
    const answers = await Promise.all(Array.from({ length: 8 }, () => verify(key, body.otp_id, code)));
    expect(answers.filter((a) => a.body.verified === true)).toHaveLength(1);
    expect(answers.filter((a) => a.body.reason === "already_used")).toHaveLength(7);
  });

  it("whatsapp: the provider gets the real text, the message log the masked one", async () => {
    const { ctx, key } = await tenant();
    const { account } = await makeSimConfig(ctx, sim, "whatsapp");
    const to = number();
    const { res, body } = await create(key, { to, channel: "whatsapp", locale: "sv" });
    expect(res.status).toBe(201);
    const sent = await waitFor(async () => sim.listRequests({ accountId: account.id }).find((r) => r.status === 200), 20_000, 25);
    const text = (sent.body as { text: { body: string } }).text.body;
    expect(text).toMatch(/^Din kod är \d{6}$/);
    const [m] = await sql()`select payload from messages where tenant_id = ${ctx.tenantId} and channel = 'whatsapp'`;
    expect(m!.payload.body_text).toBe("Din kod är ******");
    expect((await verify(key, body.otp_id, text.slice(-6))).body).toEqual({ verified: true });
  });

  it("answers 404 for another tenant's OTP", async () => {
    const a = await tenant();
    const b = await tenant();
    const { body } = await create(a.key, { to: number() });
    expect((await verify(b.key, body.otp_id, "123456")).res.status).toBe(404);
    expect((await resend(b.key, body.otp_id)).res.status).toBe(404);
  });
});

describe("throttles", () => {
  it.each([
    ["destination_30s", { limits: { destination_30s: 1, destination_hour: 100, destination_day: 100 } }, "same"],
    ["destination_hour", { limits: { destination_30s: 100, destination_hour: 2, destination_day: 100 } }, "same"],
    ["destination_day", { limits: { destination_30s: 100, destination_hour: 100, destination_day: 2 } }, "same"],
    ["client_hour", { limits: { destination_30s: 100, destination_hour: 100, destination_day: 100, client_hour: 2 } }, "different"],
    ["tenant_day", { limits: { destination_30s: 100, destination_hour: 100, destination_day: 100, tenant_day: 2 } }, "different"],
    ["daily_spend_cap", { daily_spend_cap: 0.1, cost_per_message: 0.05 }, "different"],
  ] as const)("%s → 429 with Retry-After and the reason", async (reason, policy, numbers) => {
    const { ctx, key } = await tenant();
    await setOtpPolicy(ctx, policy as OtpPolicyInput);
    const same = number();
    const to = () => (numbers === "same" ? same : number());
    const allowed = reason === "destination_30s" ? 1 : 2;
    for (let i = 0; i < allowed; i++) expect((await create(key, { to: to() })).res.status).toBe(201);
    const refused = await create(key, { to: to() });
    expect(refused.res.status).toBe(429);
    expect(Number(refused.res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(refused.body.error).toMatchObject({ code: "otp_rate_limited", details: { reason } });
    const [r] = await sql()`select count(*)::int as n from otp_refusals where tenant_id = ${ctx.tenantId} and reason = ${reason}`;
    expect(r!.n).toBe(1);
  });

  it("a refused request leaves no count behind (the throttle transaction rolls back)", async () => {
    const { ctx, key } = await tenant();
    await setOtpPolicy(ctx, { limits: { destination_30s: 100, destination_hour: 100, destination_day: 100, tenant_day: 1 } });
    const to = number();
    expect((await create(key, { to })).res.status).toBe(201);
    expect((await create(key, { to })).res.status).toBe(429);
    const [row] = await sql()`select count from rate_limit_buckets where key = ${`otp:${ctx.tenantId}:desth:${to}`}`;
    expect(row!.count).toBe(1);
  });
});

describe("SMS-pumping protection", () => {
  it("only the allowed countries (default: the default country)", async () => {
    const { ctx, key } = await tenant();
    const refused = await create(key, { to: "+12025550143" });
    expect(refused.res.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: "otp_country_not_allowed", details: { reason: "country_not_allowed", country: "US", allowed_countries: ["SE"] } });
    await setOtpPolicy(ctx, { allowed_countries: ["SE", "US"], limits: { destination_30s: 100, destination_hour: 100, destination_day: 100 } });
    expect((await create(key, { to: "+12025550143" })).res.status).toBe(201);
  });

  it("blocks a prefix whose codes are not verified, shows it to admins, and an admin lifts it", async () => {
    const { ctx, key } = await tenant({ pumping_min_sends: 5, pumping_min_conversion_percent: 20, limits: { destination_30s: 100, destination_hour: 100, destination_day: 100 } });
    const alerts: Alert[] = [];
    setAlertSink((a) => alerts.push(a));
    const prefix = "+4670999";
    const numbers = Array.from({ length: 6 }, (_, i) => `${prefix}${String(1000 + i)}`);
    for (const to of numbers.slice(0, 5)) expect((await create(key, { to })).res.status).toBe(201);
    // The codes have had time to be verified (the settle time), and none was.
    shiftOtpClock(120_000);
    expect((await create(key, { to: numbers[5]! })).res.status).toBe(201);
    const blocked = await create(key, { to: `${prefix}2000` });
    expect(blocked.res.status).toBe(403);
    expect(blocked.body.error).toMatchObject({ code: "otp_destination_blocked", details: { kind: "prefix", value: prefix } });
    expect(blocked.body.error.details.block_reason).toMatch(/0 of 5 codes verified/);
    // The tenant's admins are told (Slack and their alert webhook), once per block.
    setAlertSink(undefined);
    expect(alerts.filter((a) => a.kind === "otp_pumping_blocked" && a.tenantId === ctx.tenantId)).toEqual([expect.objectContaining({ title: expect.stringContaining(prefix) })]);

    const list = await json(await blocksRoute(request("/api/v1/otp/blocks", { key }), params({})));
    expect(list.body.data).toEqual([expect.objectContaining({ kind: "prefix", value: prefix, active: true })]);
    const id = list.body.data[0].id as string;
    const lifted = await json(await unblockRoute(request(`/api/v1/otp/blocks/${id}/unblock`, { method: "POST", key }), params({ id })));
    expect(lifted.body).toMatchObject({ active: false, unblocked_by: "api key otp" });
    expect((await create(key, { to: `${prefix}2000` })).res.status).toBe(201);

    const stats = await json(await statsRoute(request("/api/v1/otp/stats?range=24h", { key }), params({})));
    expect(stats.body).toMatchObject({ requests: 7, sends: 7, verified: 0, conversion: 0, blocked: [{ reason: "destination_blocked", count: 1 }] });
  });
});

describe("Infobip 2FA mode", () => {
  it("Herald creates the application and template once, Infobip generates and verifies the PIN", async () => {
    const { key, account } = await tenant({}, { twoFactor: true });
    const to = number();
    const { res, body } = await create(key, { to, length: 6, template: "Kod: {{code}}" });
    expect(res.status).toBe(201);
    const pin = await codeSentTo(to);
    expect(received(to)[0]).toBe(`Kod: ${pin}`);
    const paths = sim.listRequests({ accountId: account.id }).map((r) => r.path);
    expect(paths).toEqual(["/2fa/2/applications", `/2fa/2/applications/${paths[1]!.split("/")[4]}/messages`, "/2fa/2/pin"]);
    const template = sim.listRequests({ accountId: account.id })[1]!.body as Record<string, unknown>;
    expect(template).toMatchObject({ messageText: "Kod: {{pin}}", pinLength: 6, pinType: "NUMERIC" });
    await waitFor(async () => (await sql()`select provider_pin_id from otp_codes where id = ${body.otp_id}`)[0]!.provider_pin_id);

    const wrong = pin === "000000" ? "111111" : "000000";
    expect((await verify(key, body.otp_id, wrong)).body).toEqual({ verified: false, attempts_remaining: 4, reason: "wrong_code" });
    const both = await Promise.all([verify(key, body.otp_id, pin), verify(key, body.otp_id, pin)]);
    expect(both.map((b) => b.body.verified).sort()).toEqual([false, true]);
    expect(sim.listRequests({ accountId: account.id }).filter((r) => r.path.endsWith("/verify")).length).toBeGreaterThanOrEqual(2);

    // A second code reuses the application and template.
    const to2 = number();
    const second = await create(key, { to: to2, template: "Kod: {{code}}" });
    const pin2 = await codeSentTo(to2);
    expect(sim.listRequests({ accountId: account.id }).filter((r) => r.path === "/2fa/2/applications")).toHaveLength(1);
    for (const left of [4, 3, 2, 1]) {
      expect((await verify(key, second.body.otp_id, pin2 === "000000" ? "111111" : "000000")).body).toEqual({ verified: false, attempts_remaining: left, reason: "wrong_code" });
    }
    expect((await verify(key, second.body.otp_id, pin2 === "000000" ? "111111" : "000000")).body).toEqual({ verified: false, attempts_remaining: 0, reason: "wrong_code" });
    expect((await verify(key, second.body.otp_id, pin2)).body).toEqual({ verified: false, attempts_remaining: 0, reason: "too_many_attempts" });
  });
});

describe("the code is nowhere but in the simulator's received SMS", () => {
  it("not in any table, log line or response", async () => {
    const { key } = await tenant();
    const to = number();
    // Ten digits: a code that long does not turn up in timestamps or ids by chance.
    const { body } = await create(key, { to, length: 10 });
    const code = await codeSentTo(to);
    expect(code).toHaveLength(10);
    await verify(key, body.otp_id, "0".repeat(10) === code ? "1".repeat(10) : "0".repeat(10));
    expect((await verify(key, body.otp_id, code)).body).toEqual({ verified: true });
    await waitFor(async () => (await sql()`select count(*)::int as n from communication_events where payload::text like ${`%${to}%`}`)[0]!.n > 0);

    const tables = await sql()<{ schema: string; name: string }[]>`
      select table_schema as schema, table_name as name from information_schema.tables
      where table_schema in ('public', 'pgboss') and table_type = 'BASE TABLE'`;
    const hits: string[] = [];
    for (const t of tables) {
      const [row] = await sql().unsafe(`select count(*)::int as n from "${t.schema}"."${t.name}" x where x::text like $1`, [`%${code}%`]);
      if (row!.n > 0) hits.push(`${t.schema}.${t.name}`);
    }
    expect(tables.length).toBeGreaterThan(20);
    expect(hits).toEqual([]);
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.filter((l) => l.includes(code))).toEqual([]);
    expect(responses.filter((r) => r.includes(code))).toEqual([]);
    expect(received(to)).toEqual([`Your code is ${code}`]);
  });
});
