// Sentry and error alerts against local stand-ins: a DSN pointing at a local ingest server and a
// local Slack webhook. A route that fails reports with the caller's context (user or API key,
// tenant, role) and without any personal data or secret; so does a workflow that fails for good.
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { GET as listContacts } from "@/app/api/v1/contacts/route";
import { startAlertRouter, stopAlerts } from "@/lib/alerts/alert-router";
import { AlertSpool } from "@/lib/alerts/alert-spool";
import { createApiKey } from "@/lib/auth/api-keys";
import { recordDeadLetter } from "@/lib/jobs/dead-letters";
import { setErrorLogSink } from "@/lib/logger";
import { makeContext, waitFor } from "@/lib/test/factories";
import { params, request, sessionCookie } from "@/lib/test/http";
import { installErrorLogSink } from "./error-log-sink";
import { scrubText } from "./scrub";
import { sentry, setSentry } from "./sentry";
import { initServerSentry } from "./sentry-server";

const envelopes: string[] = [];
const slackTexts: string[] = [];
const ingest = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const raw = Buffer.concat(chunks);
    const body = req.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw;
    if (req.url?.includes("/envelope/")) envelopes.push(body.toString("utf8"));
    else slackTexts.push(body.toString("utf8"));
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
});
const spoolDir = mkdtempSync(path.join(tmpdir(), "herald-obs-spool-"));

beforeAll(async () => {
  await new Promise<void>((r) => ingest.listen(0, "127.0.0.1", r));
  const port = (ingest.address() as { port: number }).port;
  process.env.HERALD_ALLOW_LOOPBACK_WEBHOOKS = "true";
  process.env.HERALD_SLACK_WEBHOOK_URL = `http://127.0.0.1:${port}/slack/services/T/B/hooksecret`;
  expect(initServerSentry({ dsn: `http://abc123publickey@127.0.0.1:${port}/42` })).toBe(true);
  installErrorLogSink();
  // What a process that died while Slack was away left on disk: sent when the next one starts.
  new AlertSpool({ dir: spoolDir, destination: "deployment", pid: 999_999 }).append([
    { kind: "breaker_opened", severity: "warning", title: "Left over from the last run", text: "", tenantId: null, tenantSlug: null, firstAt: Date.now() - 60_000, lastAt: Date.now() - 60_000, count: 1 },
  ]);
  startAlertRouter({ spoolDir });
});

afterAll(async () => {
  setErrorLogSink(undefined);
  await sentry()?.flush(2_000);
  setSentry(undefined);
  await stopAlerts();
  delete process.env.HERALD_SLACK_WEBHOOK_URL;
  ingest.closeAllConnections();
  await new Promise((r) => ingest.close(r));
  rmSync(spoolDir, { recursive: true, force: true });
});

/** Envelopes (or Slack bodies) received since `from` that mention `marker`. */
async function arrived(list: string[], from: number, marker: string): Promise<string> {
  await sentry()!.flush(5_000);
  return waitFor(async () => list.slice(from).find((e) => e.includes(marker)), 15_000, 50);
}

const EMAIL = "jane.doe@example.com";
const PHONE = "+46701234567";

describe("Sentry and error alerts", () => {
  it("scrubs text: emails, phone numbers, codes and tokens go; ids and times stay", () => {
    const uuid = "0b7a3c57-7a4e-4bb0-9d6c-7a3f61b0a1f2";
    const out = scrubText(`to ${EMAIL} or +46 70-123 45 67 / 0701234567, code is 482913, key hk_abcdefghijkl, Bearer abc.def id ${uuid} at 2026-01-02T03:04:05Z`);
    expect(out).not.toMatch(/jane|example\.com|70-123|0701234567|482913|abcdefghijkl|abc\.def/);
    expect(out).toContain(uuid);
    expect(out).toContain("2026-01-02T03:04:05Z");
  });

  it("a failing route reaches the ingest with the API key's and tenant's context, and nothing personal", async () => {
    const ctx = await makeContext("owner");
    const created = await createApiKey(ctx, { name: "contacts", scopes: ["contacts:read"] });
    const from = envelopes.length;
    const slackFrom = slackTexts.length;
    // A real failure: the query's table is gone (this test's own database), and the failed query's
    // parameters hold what the caller searched for.
    await getDb().execute(sql`alter table contacts rename to contacts_gone`);
    let res: Response;
    try {
      res = await listContacts(
        request(`/api/v1/contacts?q=${encodeURIComponent(EMAIL)}`, {
          key: created.key,
          headers: { cookie: "next-auth.session-token=sessionsecret123", "x-forwarded-for": "203.0.113.9", "x-phone": PHONE },
        }),
        params({}),
      );
    } finally {
      await getDb().execute(sql`alter table contacts_gone rename to contacts`);
    }
    expect(res.status).toBe(500);
    const envelope = await arrived(envelopes, from, ctx.tenantId);
    expect(envelope).toContain(`"tenant_slug":"${ctx.tenantSlug}"`);
    expect(envelope).toContain(`"api_key_id":"${created.id}"`);
    expect(envelope).toContain(`"api_key_prefix":"${created.prefix}"`);
    expect(envelope).toContain(`"id":"api_key:${created.id}"`);
    expect(envelope).toContain("contacts"); // the failed query is named
    for (const secret of [EMAIL, "jane.doe", PHONE, "46701234567", created.key, "sessionsecret123", "203.0.113.9", "Bearer "]) {
      expect(envelope, secret).not.toContain(secret);
    }
    // The same failure as a Slack alert on the deployment's channel, equally clean.
    const alert = await waitFor(async () => slackTexts.slice(slackFrom).find((t) => t.includes("unhandled error in route handler")), 15_000, 50);
    for (const secret of [EMAIL, created.key, "sessionsecret123"]) expect(alert).not.toContain(secret);
  });

  it("replays at start the alerts an earlier process spooled, marked delayed", async () => {
    const left = await waitFor(async () => slackTexts.find((t) => t.includes("Left over from the last run")), 15_000, 50);
    expect(left).toContain("delayed");
  });

  it("a signed-in member's failure carries the user id and role, never the email", async () => {
    const ctx = await makeContext("admin");
    const email = ctx.actor.type === "user" ? ctx.actor.email : "";
    const from = envelopes.length;
    await getDb().execute(sql`alter table contacts rename to contacts_gone`);
    try {
      const res = await listContacts(request(`/api/v1/contacts?q=${encodeURIComponent(PHONE)}`, { cookie: await sessionCookie(ctx.userId, ctx.tenantSlug) }), params({}));
      expect(res.status).toBe(500);
    } finally {
      await getDb().execute(sql`alter table contacts_gone rename to contacts`);
    }
    const envelope = await arrived(envelopes, from, ctx.userId);
    expect(envelope).toContain(`"role":"admin"`);
    expect(envelope).toContain(`"tenant_id":"${ctx.tenantId}"`);
    for (const secret of [email, PHONE, "46701234567", "next-auth.session-token"]) expect(envelope, secret).not.toContain(secret);
  });

  it("a workflow that fails for good reports with its workflow and tenant, not its payload", async () => {
    const ctx = await makeContext("owner");
    const from = envelopes.length;
    await recordDeadLetter({
      engine: "pg-boss",
      functionId: "deliver-message",
      runId: "run-obs-1",
      event: { name: "herald/message.queued", data: { tenantId: ctx.tenantId, to: PHONE, body: "Your code is 123456" } },
      error: new Error(`provider refused ${PHONE} (${EMAIL})`),
      attempts: 4,
    });
    const envelope = await arrived(envelopes, from, "run-obs-1");
    expect(envelope).toContain(`"workflow":"deliver-message"`);
    for (const secret of [PHONE, "46701234567", EMAIL, "123456"]) expect(envelope, secret).not.toContain(secret);
  });
});
