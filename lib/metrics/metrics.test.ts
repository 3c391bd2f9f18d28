// /api/metrics end to end: a send through the API, its delivery through the job engine and the
// provider simulator, a refused webhook — and the counters and pending-work gauges that move.
import http from "node:http";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { messages } from "@/db/schema";
import { startSimulator, type Simulator } from "@/e2e/simulator/server";
import { workflows } from "@/inngest/workflows";
import { createApiKey } from "@/lib/auth/api-keys";
import { startJobEngine, stopJobEngine } from "@/lib/jobs/job-engine";
import { listApiRoutes } from "@/lib/server/api-routes";
import { makeSimConfig } from "@/lib/test/delivery";
import { makeContext, waitFor } from "@/lib/test/factories";
import { params, request } from "@/lib/test/http";
import { GET as metricsRoute } from "@/app/api/metrics/route";
import { POST as sendRoute } from "@/app/api/v1/messages/route";
import { POST as webhookRoute } from "@/app/api/webhooks/[provider]/[configId]/route";
import { httpMetricsRecorder } from "./http-metrics";
import { PAGE_ROUTE, routeLabeller, STATIC_ROUTE, UNMATCHED_ROUTE } from "./route-label";

const TOKEN = "test-metrics-token-0123456789";
process.env.HERALD_METRICS_TOKEN = TOKEN;

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ autoDelivery: false });
  await startJobEngine({ workflows, runWorkers: true });
});

afterAll(async () => {
  await stopJobEngine();
  await sim.close();
});

async function scrape(): Promise<string> {
  const res = await metricsRoute(request("/api/metrics", { headers: { authorization: `Bearer ${TOKEN}` } }), params({}));
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

/** The value of one sample (name + exact label set in any order), 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v) && Object.keys(got).length === Object.keys(labels).length) return Number(m[3]);
  }
  return 0;
}

describe("GET /api/metrics", () => {
  it("answers 401 without the token and 404 when metrics are off", async () => {
    const none = await metricsRoute(request("/api/metrics"), params({}));
    expect(none.status).toBe(401);
    expect((await none.json()).error.code).toBe("unauthorized");
    const wrong = await metricsRoute(request("/api/metrics", { headers: { authorization: "Bearer nope" } }), params({}));
    expect(wrong.status).toBe(401);
    process.env.HERALD_METRICS_TOKEN = "";
    try {
      const off = await metricsRoute(request("/api/metrics", { headers: { authorization: `Bearer ${TOKEN}` } }), params({}));
      expect(off.status).toBe(404);
    } finally {
      process.env.HERALD_METRICS_TOKEN = TOKEN;
    }
  });

  it("counts a send, its delivery and the provider call; reads queues, outbox and breakers; counts refused webhooks", async () => {
    const ctx = await makeContext("owner");
    const { config } = await makeSimConfig(ctx, sim, "sendgrid");
    const key = (await createApiKey(ctx, { name: "metrics", scopes: ["messages:send"] })).key;
    const before = await scrape();
    const labels = { channel: "email", provider: "sendgrid" };

    const sent = await sendRoute(
      request("/api/v1/messages", { method: "POST", key, body: { channel: "email", to: [{ email: "metrics@example.com" }], subject: "Hi", body_text: "Hello" } }),
      params({}),
    );
    expect(sent.status, await sent.clone().text()).toBe(202);
    const { id } = (await sent.json()) as { id: string };
    await waitFor(async () => {
      const [m] = await getDb().select().from(messages).where(and(eq(messages.tenantId, ctx.tenantId), eq(messages.id, id)));
      return m?.status === "sent";
    }, 20_000, 50);

    const rejected = await webhookRoute(request(`/api/webhooks/sendgrid/${config.id}`, { method: "POST", rawBody: "[]" }), params({ provider: "sendgrid", configId: config.id }));
    expect(rejected.status).toBe(401);
    const unknown = await webhookRoute(request("/api/webhooks/nosuch/x", { method: "POST", rawBody: "[]" }), params({ provider: "nosuch", configId: "x" }));
    expect(unknown.status).toBe(404);

    const after = await scrape();
    expect(sample(after, "herald_messages_accepted_total", labels) - sample(before, "herald_messages_accepted_total", labels)).toBe(1);
    expect(sample(after, "herald_messages_sent_total", labels) - sample(before, "herald_messages_sent_total", labels)).toBe(1);
    const calls = { provider: "sendgrid", outcome: "ok" };
    expect(sample(after, "herald_provider_call_duration_seconds_count", calls) - sample(before, "herald_provider_call_duration_seconds_count", calls)).toBe(1);
    expect(sample(after, "herald_webhook_requests_rejected_total", { provider: "sendgrid", reason: "signature" })).toBe(1);
    expect(sample(after, "herald_webhook_requests_rejected_total", { provider: "unknown", reason: "unknown_endpoint" })).toBe(1);
    expect(sample(after, "herald_outbox_relay_lag_seconds_count")).toBeGreaterThan(0);
    // communication.sent.v1 reached RabbitMQ: its publish lag was observed.
    await waitFor(async () => sample(await scrape(), "herald_broker_publish_lag_seconds_count", { kind: "communication_event" }) > 0, 15_000, 100);

    // Read from Postgres at scrape time.
    expect(sample(after, "herald_work_scrape_ok")).toBe(1);
    expect(after).toMatch(/^herald_outbox_pending \d+$/m);
    expect(after).toMatch(/^herald_broker_outbox_oldest_seconds\{kind="communication_event"\} [\d.e+-]+$/m);
    expect(sample(after, "herald_provider_breakers", { provider: "sendgrid", state: "closed" })).toBeGreaterThanOrEqual(1);
    expect(after).toMatch(/^herald_workflow_oldest_due_seconds\{workflow="deliver-message"\} [\d.e+-]+$/m);
    // The process's own: event-loop lag.
    expect(after).toMatch(/^nodejs_eventloop_lag_p99_seconds [\d.e+-]+$/m);
  });
});

describe("HTTP request metrics", () => {
  const routes = listApiRoutes(path.resolve(import.meta.dirname, "../.."));
  const label = routeLabeller(routes);

  it("labels a request with its route's pattern, never the raw path", () => {
    expect(label("/api/v1/messages/0b7a3c57-7a4e-4bb0-9d6c-7a3f61b0a1f2")).toBe("/api/v1/messages/[id]");
    expect(label("/api/v1/messages/batch")).toBe("/api/v1/messages/batch");
    expect(label("/api/v1/messages/")).toBe("/api/v1/messages");
    expect(label("/api/webhooks/sendgrid/abc")).toBe("/api/webhooks/[provider]/[configId]");
    expect(label("/api/no/such/thing/at/all")).toBe(UNMATCHED_ROUTE);
    expect(label("/messages")).toBe(PAGE_ROUTE);
    expect(label("/_next/static/chunks/x.js")).toBe(STATIC_ROUTE);
    // Every route's own template maps to itself (static segments win over dynamic ones).
    for (const r of routes) {
      const concrete = r.template.replace(/\[\.\.\.[^\]]+\]/g, "a/b").replace(/\[[^\]]+\]/g, "x");
      expect(label(concrete)).toBe(routes.find((o) => o.pattern.test(concrete))!.template);
    }
  });

  it("counts requests by route, method and status, with a latency histogram", async () => {
    const record = httpMetricsRecorder(routes)!;
    const server = http.createServer((req, res) => {
      record(req, res);
      res.statusCode = req.url?.startsWith("/api/v1/messages/") ? 404 : 200;
      res.end("{}");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    const get = (p: string) => fetch(`http://127.0.0.1:${port}${p}`).then((r) => r.text());
    const before = await scrape();
    await Promise.all([get("/api/v1/messages/1?x=2"), get("/api/v1/messages/2"), get("/api/health")]);
    server.close();
    const after = await scrape();
    const byId = { route: "/api/v1/messages/[id]", method: "GET", status: "404" };
    expect(sample(after, "herald_http_requests_total", byId) - sample(before, "herald_http_requests_total", byId)).toBe(2);
    const health = { route: "/api/health", method: "GET" };
    expect(sample(after, "herald_http_request_duration_seconds_count", health) - sample(before, "herald_http_request_duration_seconds_count", health)).toBe(1);
  });
});
