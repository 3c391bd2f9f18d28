// The bad-input sweep, against the production server global setup started: every route under
// app/api (read from the file system, so a new route is swept without being listed here) and every
// method it exports gets the input classes that once answered 500 or stalled the server. Asserts
// 0 × 5xx, the JSON error shape on every 4xx, and a healthy /api/health that answers within 1 s
// throughout — also while the heaviest requests run.
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "@playwright/test";
import { allScopes } from "../../lib/auth/permissions";
import { listApiRoutes, matchApiRoute, type ApiRoute, type HttpMethod } from "../../lib/server/api-routes";
import { readSeed, type SeedState } from "../seed-state";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const routes = listApiRoutes(root);

type Creds = "session" | "key" | "none";
interface Probe {
  label: string;
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
  creds: Creds;
  /** Statuses this probe must answer with, when it is specific about it. */
  expect?: number[];
}
interface Outcome {
  probe: Probe;
  status: number;
  ms: number;
  problem?: string;
}

const MB = 1024 * 1024;
const deep = (levels: number) => `${'{"context":'.repeat(levels)}1${"}".repeat(levels)}`;
const b64 = (s: string) => Buffer.from(s).toString("base64url");
const randomId = "6f1d3c0e-1111-4a4a-9b9b-2c2c2c2c2c2c";

/** Bodies sent to every route that accepts one; each is wrong in one way. */
const bodyClasses: { label: string; body: string; type?: string }[] = [
  { label: "NUL in strings", body: JSON.stringify({ name: "a\u0000", subject: "s\u0000", to: "x\u0000@example.com", display_name: "d\u0000", description: "\u0000", url: "http://example.com/\u0000", body_text: "\u0000", call_id: "c\u0000" }) },
  { label: "lone surrogates", body: '{"subject":"a\\ud800b","name":"\\udc00","display_name":"x\\ud800","body_text":"\\ud800"}' },
  { label: "dates out of range", body: JSON.stringify({ timestamp: "0000-01-01T00:00:00Z", since: "+275760-09-13T00:00:00Z", from: "-271821-04-20T00:00:00Z", send_at: "0000-01-01T00:00:00Z", call_id: "c1", from_number: "+46701234567", to_number: "+46701234568", event_type: "call_started" }) },
  { label: "deep JSON", body: deep(10_000) },
  { label: "deep context on a send", body: `{"to":"+46701234567","body_text":"x","context":${deep(5_000)}}` },
  { label: "__proto__ keys", body: '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}},"status":"__proto__","provider":"constructor","channel":"toString"}' },
  { label: "wrong types", body: JSON.stringify({ name: 1, to: 123, scopes: "all", event_types: {}, limit: "x", display_name: [], credentials: "x", duration: "long", ids: 5 }) },
  { label: "nulls", body: JSON.stringify({ name: null, to: null, scopes: null, credentials: null, event_types: null, ids: null, status: null }) },
  { label: "null body", body: "null" },
  { label: "array for object", body: "[1,2,3]" },
  { label: "nested arrays for objects", body: JSON.stringify({ to: [[[]]], credentials: [], settings: [], context: [], template_data: [1] }) },
  { label: "invalid JSON", body: '{"name":' },
  { label: "empty body", body: "" },
  { label: "text/plain body", body: "hello\u0000world", type: "text/plain" },
  { label: "form body with NUL", body: "id=%00&status=delivered&name=a%00", type: "application/x-www-form-urlencoded" },
];
const bigBody = { label: "1 MB string", body: JSON.stringify({ name: "x".repeat(MB), body_text: "x".repeat(MB) }) };

/** Query strings sent to every GET route. */
const queryClasses: { label: string; query: string }[] = [
  { label: "NUL in query", query: "tenant=%00&q=%00&status=%00&name=a%00b" },
  { label: "year-0 dates", query: "from=0000-01-01T00:00:00Z&to=0000-01-02T00:00:00Z&since=0000-01-01T00:00:00Z&until=0000-01-01T00:00:00Z" },
  { label: "extreme dates", query: "from=-271821-04-20T00:00:00Z&to=%2B275760-09-13T00:00:00Z&since=%2B275760-09-13T00:00:00Z" },
  { label: "from alone, far back", query: "from=1000-01-01T00:00:00Z" },
  { label: "from alone, 1990, hourly", query: "from=1990-01-01T00:00:00Z&granularity=hour" },
  { label: "to alone, far ahead", query: "to=9999-12-31T00:00:00Z&granularity=day" },
  { label: "cursor: id of dashes", query: `cursor=${b64("-".repeat(36))}&before=${"-".repeat(36)}` },
  { label: "cursor: time|dashes", query: `cursor=${b64(`2025-01-01T00:00:00.000Z|${"-".repeat(36)}`)}` },
  { label: "cursor: year 0", query: `cursor=${b64(`0000-01-01T00:00:00.000Z|${randomId}`)}` },
  { label: "cursor: garbage", query: "cursor=%ZZ%25%FF&cursor=zzz" },
  { label: "prototype names", query: "__proto__=1&constructor=1&status=__proto__&provider=constructor&kind=__proto__&channel=toString&range=__proto__" },
  { label: "wrong number types", query: "limit=abc&page=-1&per_page=1e9&before=1e400&limit=99999999999999999999" },
  { label: "huge limit", query: "limit=100000000&per_page=100000&page=100000000" },
  { label: "long search", query: `q=${"x".repeat(6000)}&tenant=${"t".repeat(3000)}` },
];

/** Broken credentials: each must be a JSON 401/403 (or the public answer), never a 500. */
const authClasses: { label: string; headers: Record<string, string> }[] = [
  { label: "Bearer without a key", headers: { authorization: "Bearer" } },
  { label: "Bearer with spaces", headers: { authorization: "Bearer a b c" } },
  { label: "Basic auth", headers: { authorization: "Basic Zm9vOmJhcg==" } },
  { label: "unknown key", headers: { authorization: `Bearer hk_${"x".repeat(60)}` } },
  { label: "very long key", headers: { authorization: `Bearer hk_${"x".repeat(5000)}` } },
  { label: "garbage session cookie", headers: { cookie: "next-auth.session-token=garbage; herald-tenant=__proto__" } },
  { label: "bad headers", headers: { "idempotency-key": "k".repeat(400), traceparent: "zz-zz", "x-request-id": "r".repeat(500), "x-api-token": "nope", "content-type": "application/json; charset=utf-99" } },
];

const pathClasses = ["%ZZ", "%FF", "%ED%A0%80"];
const oddPathValues = ["%00", "__proto__", "constructor", "x".repeat(300), "..%2F..%2Fetc"];

interface Context {
  base: string;
  session: string;
  key: string;
  telephonyToken?: string;
  ids: Record<string, string>;
  elksToken?: string;
  userId?: string;
}

async function signIn(base: string, who: SeedState["owner"], tenant: string): Promise<string> {
  const csrfRes = await fetch(`${base}/api/auth/csrf`);
  const csrfCookie = csrfRes.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrfCookie },
    body: new URLSearchParams({ csrfToken, email: who.email, password: who.password, json: "true" }).toString(),
  });
  const session = res.headers.getSetCookie().find((c) => c.startsWith("next-auth.session-token="));
  if (!session) throw new Error(`sign-in failed: ${res.status}`);
  return `${session.split(";")[0]}; herald-tenant=${tenant}`;
}

async function setUp(seed: SeedState): Promise<Context> {
  const base = seed.baseUrl;
  const session = await signIn(base, seed.owner, seed.tenantA);
  const asOwner = (p: string, init: RequestInit = {}) =>
    fetch(`${base}${p}`, { ...init, headers: { cookie: session, "content-type": "application/json", ...(init.headers as Record<string, string>) } });
  const keyRes = await asOwner("/api/v1/api-keys", { method: "POST", body: JSON.stringify({ name: "bad-input sweep", scopes: allScopes }) });
  expect(keyRes.status).toBe(201);
  const key = ((await keyRes.json()) as { key: string }).key;
  const ctx: Context = { base, session, key, ids: {} };
  ctx.userId = ((await (await asOwner("/api/v1/me")).json()) as { actor?: { id?: string } }).actor?.id;
  const token = await asOwner("/api/v1/telephony/token", { method: "POST" });
  if (token.status === 201) ctx.telephonyToken = ((await token.json()) as { token: string }).token;
  // Real rows so reads and partial updates get past the lookup to the parsing (best effort).
  const elks = await asOwner("/api/communication/elks/configs", {
    method: "POST",
    body: JSON.stringify({ display_name: "sweep elks", sender_id: "Herald", credentials: { api_username_ref: "u", api_password_ref: "p" } }),
  });
  if (elks.status === 201) {
    const cfg = (await elks.json()) as { id: string; dlr_callback_url?: string };
    ctx.ids.elks = cfg.id;
    ctx.elksToken = cfg.dlr_callback_url ? (new URL(cfg.dlr_callback_url).searchParams.get("token") ?? undefined) : undefined;
  }
  const ep = await asOwner("/api/v1/webhook-endpoints", { method: "POST", body: JSON.stringify({ url: "http://127.0.0.1:9/sweep", event_types: ["message.delivered.v1"] }) });
  if (ep.status === 201) ctx.ids.endpoint = ((await ep.json()) as { id: string }).id;
  const school = await asOwner("/api/v1/schools", { method: "POST", body: JSON.stringify({ name: "Sweep School", type: "primary", city: "Uppsala" }) });
  if (school.status === 201) ctx.ids.school = ((await school.json()) as { id: string }).id;
  return ctx;
}

/** A concrete path for a route: real ids where reads and patches should reach the parser. */
function fillPath(route: ApiRoute, method: string, ctx: Context, override?: string): string {
  const realIds = method === "GET" || method === "PATCH" || method === "PUT" || route.template.startsWith("/api/webhooks/");
  return route.template.replace(/\[(\.\.\.)?([^\]]+)\]/g, (_, rest: string | undefined, name: string) => {
    if (override !== undefined) return override;
    if (rest) return "callback/credentials";
    if (name === "provider") return "elks";
    if (name === "configId") return ctx.ids.elks ?? randomId;
    if (name === "userId") return realIds && ctx.userId ? ctx.userId : randomId;
    if (!realIds) return randomId;
    if (route.template.startsWith("/api/communication/")) return ctx.ids.elks ?? randomId;
    if (route.template.startsWith("/api/v1/webhook-endpoints/")) return ctx.ids.endpoint ?? randomId;
    if (route.template.startsWith("/api/v1/schools/")) return ctx.ids.school ?? randomId;
    return randomId;
  });
}

function withQuery(p: string, query: string, ctx: Context, route: ApiRoute): string {
  const token = route.template.startsWith("/api/webhooks/") && ctx.elksToken ? `token=${encodeURIComponent(ctx.elksToken)}&` : "";
  return `${p}${p.includes("?") ? "&" : "?"}${token}${query}`;
}

function buildProbes(ctx: Context): Probe[] {
  const probes: Probe[] = [];
  const credsFor = (i: number): Creds => (i % 2 === 0 ? "session" : "key");
  for (const route of routes) {
    for (const method of route.methods) {
      // Rotations invalidate the token the call-event probes use: swept separately, below.
      if (route.template === "/api/v1/telephony/token" && method === "POST") continue;
      const p = fillPath(route, method, ctx);
      if (method === "GET" || method === "HEAD") {
        queryClasses.forEach((q, i) => probes.push({ label: `query: ${q.label}`, method, path: withQuery(p, q.query, ctx, route), creds: credsFor(i) }));
      } else {
        const target = route.template.startsWith("/api/webhooks/") ? withQuery(p, "", ctx, route) : p;
        bodyClasses.forEach((b, i) =>
          probes.push({ label: `body: ${b.label}`, method, path: target, body: b.body, headers: { "content-type": b.type ?? "application/json" }, creds: credsFor(i) }),
        );
        probes.push({ label: "body: NUL, no credentials", method, path: target, body: bodyClasses[0]!.body, headers: { "content-type": "application/json" }, creds: "none" });
        if (method === "POST" || method === "PATCH") {
          probes.push({ label: `body: ${bigBody.label}`, method, path: target, body: bigBody.body, headers: { "content-type": "application/json" }, creds: "key" });
        }
      }
      // Three of the credential classes per route and method, rotating, so all of them meet every kind of route.
      for (let k = 0; k < 3; k++) {
        const a = authClasses[(probes.length + k) % authClasses.length]!;
        probes.push({ label: `auth: ${a.label}`, method, path: p, headers: a.headers, creds: "none", body: method === "GET" || method === "DELETE" ? undefined : "{}" });
      }
    }
    const first = route.methods[0] ?? "GET";
    if (route.params.length > 0 && !route.template.includes("[...")) {
      for (const bad of pathClasses) probes.push({ label: `path: ${bad}`, method: first, path: fillPath(route, first, ctx, bad), creds: "key", expect: [404] });
      for (const odd of oddPathValues) probes.push({ label: `path: ${odd.slice(0, 20)}`, method: first, path: fillPath(route, first, ctx, odd), creds: "key" });
    }
    const missing = (["GET", "POST", "PUT", "PATCH", "DELETE"] as HttpMethod[]).find((m) => !route.methods.includes(m));
    if (missing) probes.push({ label: `method ${missing} not exported`, method: missing, path: fillPath(route, "GET", ctx), creds: "key", expect: [405] });
  }
  // Elks delivery reports reach parsing with the config's callback token.
  if (ctx.ids.elks && ctx.elksToken) {
    const hook = `/api/webhooks/elks/${ctx.ids.elks}?token=${encodeURIComponent(ctx.elksToken)}`;
    for (const form of [
      "id=s1&status=__proto__",
      "id=s1&status=constructor",
      "id=s1&status=delivered&delivered=0000-01-01%2000:00:00",
      "id=s1&status=delivered&delivered=%2B275760-09-13T00:00:00Z",
      "id=s%00&status=delivered",
      "id=s2&direction=incoming&from=%2B46701234567&to=%2B46701234568&message=a%00b",
      "id=s3&constructor=1&__proto__=2&status=sent",
    ]) {
      probes.push({ label: `elks form: ${form}`, method: "POST", path: hook, body: form, headers: { "content-type": "application/x-www-form-urlencoded" }, creds: "none" });
    }
  }
  probes.push(
    { label: "unknown /api path", method: "GET", path: "/api/v1/definitely-not-a-route", creds: "key", expect: [404] },
    { label: "unknown /api root", method: "GET", path: "/api", creds: "none", expect: [404] },
    { label: "unknown nested /api path", method: "POST", path: "/api/nope/nope/nope", creds: "none", body: "{}", expect: [404] },
    { label: "next-auth callback with JSON", method: "POST", path: "/api/auth/callback/credentials", body: '{"email":"a@b.c","password":"x"}', headers: { "content-type": "application/json" }, creds: "none", expect: [400] },
    { label: "next-auth callback with an empty body", method: "POST", path: "/api/auth/callback/credentials", body: "", headers: { "content-type": "application/json" }, creds: "none", expect: [400] },
    { label: "next-auth callback with invalid JSON", method: "POST", path: "/api/auth/callback/credentials", body: "{", headers: { "content-type": "application/json" }, creds: "none", expect: [400] },
    { label: "inngest on pg-boss", method: "PUT", path: "/api/inngest", creds: "none", expect: [404] },
    { label: "inngest GET on pg-boss", method: "GET", path: "/api/inngest", creds: "none", expect: [404] },
    { label: "usage from 1000 (the 17 s stall)", method: "GET", path: "/api/v1/usage?from=1000-01-01T00:00:00Z", creds: "session", expect: [422] },
    { label: "usage from 1990 alone", method: "GET", path: "/api/v1/usage?from=1990-01-01T00:00:00Z", creds: "key", expect: [422] },
    { label: "search with NUL, anonymous", method: "GET", path: "/api/search/schools?tenant=%00", creds: "none", expect: [400] },
    { label: "bad cursor", method: "GET", path: `/api/v1/messages?cursor=${b64("-".repeat(36))}`, creds: "key", expect: [400] },
  );
  return probes;
}

function headersFor(probe: Probe, ctx: Context): Record<string, string> {
  const h: Record<string, string> = { ...probe.headers };
  if (probe.creds === "session") h.cookie = ctx.session;
  if (probe.creds === "key") h.authorization = `Bearer ${ctx.key}`;
  if (probe.creds !== "none" && ctx.telephonyToken && !h["x-api-token"]) h["x-api-token"] = ctx.telephonyToken;
  return h;
}

async function send(probe: Probe, ctx: Context): Promise<Outcome> {
  const started = performance.now();
  let res: Response;
  try {
    res = await fetch(`${ctx.base}${probe.path}`, {
      method: probe.method,
      headers: headersFor(probe, ctx),
      body: probe.method === "GET" || probe.method === "HEAD" ? undefined : probe.body,
      redirect: "manual",
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    return { probe, status: 0, ms: performance.now() - started, problem: `no answer: ${(err as Error).message}` };
  }
  const text = await res.text();
  const ms = performance.now() - started;
  const out: Outcome = { probe, status: res.status, ms };
  if (res.status >= 500) out.problem = `${res.status}: ${text.slice(0, 300)}`;
  else if (probe.expect && !probe.expect.includes(res.status)) out.problem = `expected ${probe.expect.join("/")}, got ${res.status}: ${text.slice(0, 200)}`;
  else if (res.status >= 400 && probe.method !== "HEAD") {
    let body: { error?: { code?: unknown; message?: unknown } } | undefined;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!/json/.test(res.headers.get("content-type") ?? "") || typeof body?.error?.code !== "string" || typeof body.error.message !== "string") {
      out.problem = `${res.status} without the JSON error shape: ${text.slice(0, 200)}`;
    } else if (res.status === 405 && !res.headers.get("allow")) {
      out.problem = "405 without Allow";
    }
  }
  return out;
}

async function runAll(probes: Probe[], ctx: Context, concurrency: number): Promise<Outcome[]> {
  const out: Outcome[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < probes.length) out.push(await send(probes[next++]!, ctx));
    }),
  );
  return out;
}

/** Polls /api/health until stopped; every answer must be a 200 within 1 s. */
function watchHealth(base: string) {
  const seen: { status: number; ms: number }[] = [];
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      const started = performance.now();
      let status = 0;
      try {
        status = (await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(5_000) })).status;
      } catch {
        status = 0;
      }
      seen.push({ status, ms: performance.now() - started });
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return {
    async stop() {
      stop = true;
      await loop;
      return seen;
    },
  };
}

/** One line per distinct failure (route, method, class), so a broken class reads as one line, not fifty. */
function report(outcomes: Outcome[]): string {
  const lines = new Map<string, string>();
  for (const o of outcomes.filter((x) => x.problem)) {
    const template = matchApiRoute(routes, o.probe.path.split("?")[0]!)?.template ?? o.probe.path.split("?")[0]!;
    const key = `${o.probe.method} ${template} ${o.probe.label}`;
    if (!lines.has(key)) lines.set(key, `${o.probe.method} ${o.probe.path.slice(0, 140)} [${o.probe.label}, ${o.probe.creds}] → ${o.problem}`);
  }
  return [...lines.values()].slice(0, 80).join("\n");
}

test.describe.configure({ mode: "serial" });

test.describe("bad input over every route", () => {
  let ctx: Context;

  test.beforeAll(async () => {
    ctx = await setUp(readSeed());
  });

  test("0 × 5xx, JSON errors everywhere under /api, health 200 throughout", async () => {
    test.setTimeout(240_000);
    expect(routes.length).toBeGreaterThan(40);
    const probes = buildProbes(ctx);
    const health = watchHealth(ctx.base);
    const outcomes = await runAll(probes, ctx, 4);
    const seen = await health.stop();
    const problems = outcomes.filter((o) => o.problem);
    console.log(`bad-input sweep: ${outcomes.length} requests over ${routes.length} routes, ${problems.length} problems; slowest ${Math.round(Math.max(...outcomes.map((o) => o.ms)))} ms; health checks ${seen.length}, slowest ${Math.round(Math.max(...seen.map((s) => s.ms)))} ms`);
    expect(problems, report(outcomes)).toEqual([]);
    expect(seen.filter((s) => s.status !== 200), "health not 200 during the sweep").toEqual([]);
    // A stalled event loop shows as seconds (the usage stall held it 17.8 s); a shared CI machine adds
    // some latency of its own, so the 1 s bound is checked against the heaviest requests, below.
    expect(seen.filter((s) => s.ms > 3000), "health slower than 3 s during the sweep").toEqual([]);
  });

  test("health answers within 1 s while the heaviest requests run", async () => {
    const heavy: Probe[] = [
      { label: "usage from 1000", method: "GET", path: "/api/v1/usage?from=1000-01-01T00:00:00Z&granularity=day", creds: "session" },
      { label: "usage 400 days daily", method: "GET", path: `/api/v1/usage?from=${new Date(Date.now() - 399 * 86_400_000).toISOString()}&granularity=day`, creds: "key" },
      { label: "usage 31 days hourly", method: "GET", path: `/api/v1/usage?from=${new Date(Date.now() - 30 * 86_400_000).toISOString()}&granularity=hour`, creds: "key" },
      { label: "deep JSON", method: "POST", path: "/api/v1/messages", body: deep(10_000), headers: { "content-type": "application/json" }, creds: "key" },
      { label: "1 MB string", method: "POST", path: "/api/v1/messages/batch", body: bigBody.body, headers: { "content-type": "application/json" }, creds: "key" },
      { label: "wide JSON", method: "POST", path: "/api/v1/messages/batch", body: JSON.stringify({ messages: Array.from({ length: 50_000 }, (_, i) => ({ k: i })) }), headers: { "content-type": "application/json" }, creds: "key" },
      { label: "calls full range", method: "GET", path: "/api/v1/calls?from=1970-01-01&to=9999-12-31&limit=200", creds: "key" },
      { label: "messages full range", method: "GET", path: "/api/v1/messages?since=1970-01-01T00:00:00Z&until=9999-12-31T00:00:00Z&limit=200&q=x", creds: "key" },
    ];
    for (const probe of heavy) {
      // A request that blocks the event loop delays health every time; the shared machine's own
      // noise doesn't, so the best of three runs is what the request costs.
      const runs: { ms: number; status: number; requestMs: number; problem?: string }[] = [];
      for (let i = 0; i < 3 && !runs.some((r) => r.ms < 1000); i++) {
        const started = performance.now();
        const healthCheck = (async () => {
          await new Promise((r) => setTimeout(r, 20));
          const t = performance.now();
          const res = await fetch(`${ctx.base}/api/health`, { signal: AbortSignal.timeout(30_000) });
          return { ms: performance.now() - t, status: res.status };
        })();
        const [outcome, health] = await Promise.all([send(probe, ctx), healthCheck]);
        runs.push({ ...health, requestMs: performance.now() - started, problem: outcome.problem });
      }
      expect(runs.map((r) => r.problem).filter(Boolean), probe.label).toEqual([]);
      expect(runs.map((r) => r.status), probe.label).toEqual(runs.map(() => 200));
      const best = Math.min(...runs.map((r) => r.ms));
      expect(best, `${probe.label}: health took ${runs.map((r) => `${Math.round(r.ms)} ms (request ${Math.round(r.requestMs)} ms)`).join(", ")}`).toBeLessThan(1000);
    }
  });

  test("8 concurrent telephony-token rotations: all succeed in turn, never 500", async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => send({ label: "rotate", method: "POST", path: "/api/v1/telephony/token", creds: "session" }, ctx)));
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(201));
  });

  test("after a 413 on a chunked keep-alive request, the connection is closed or the next request answered", async () => {
    const { hostname, port } = new URL(ctx.base);
    const answers = await new Promise<string>((resolve) => {
      const socket = net.connect(Number(port), hostname);
      let received = "";
      const done = () => {
        socket.destroy();
        resolve(received);
      };
      socket.setTimeout(8_000, done);
      socket.on("data", (d) => {
        received += d.toString("latin1");
        if ((received.match(/HTTP\/1\.1 \d{3}/g) ?? []).length >= 2) done();
      });
      socket.on("end", done);
      socket.on("close", done);
      socket.on("error", done);
      socket.write(
        `POST /api/v1/schools HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${ctx.key}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n`,
      );
      const chunk = "x".repeat(64 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < 2 * MB) {
          sent += chunk.length;
          if (!socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`)) {
            socket.once("drain", pump);
            return;
          }
        }
        socket.write("0\r\n\r\n");
        socket.write(`GET /api/health HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`);
      };
      pump();
    });
    const statuses = [...answers.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
    expect(statuses[0], answers.slice(0, 300)).toBe(413);
    const head = answers.split("\r\n\r\n")[0]!.toLowerCase();
    // Either the server said it closes the connection, or it answered the next request on it.
    expect(head.includes("connection: close") || statuses[1] === 200, answers.slice(0, 500)).toBe(true);
  });

  test("headers too large answer 431 JSON", async () => {
    const res = await fetch(`${ctx.base}/api/v1/me`, { headers: { "x-big": "x".repeat(40_000) } });
    expect(res.status).toBe(431);
    expect(await res.json()).toMatchObject({ error: { code: "request_header_fields_too_large", message: expect.any(String) } });
  });
});
