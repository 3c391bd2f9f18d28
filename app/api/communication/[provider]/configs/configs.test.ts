import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { listAuditEntries } from "@/db/queries/audit-log";
import { startSimulator, type Simulator } from "@/e2e/simulator/server";
import { createApiKey } from "@/lib/auth/api-keys";
import { listActiveConfigs, resolveCredentials, findConfigForWebhook } from "@/lib/providers/config-record";
import { markConfigError } from "@/lib/providers/config-lifecycle";
import { verifyCallbackToken } from "@/lib/providers/callback-urls";
import { makeContext, makeUser } from "@/lib/test/factories";
import { params, request, sessionCookie } from "@/lib/test/http";
import { providerKinds, type ProviderKind } from "@/lib/validations/provider-configs";
import { DELETE, GET as getOne, PATCH } from "./[id]/route";
import { POST as receiveWebhook } from "@/app/api/webhooks/[provider]/[configId]/route";
import { POST as rotateToken } from "./[id]/rotate-callback-token/route";
import { POST as runTest } from "./[id]/test/route";
import { POST as transition } from "./[id]/transition/route";
import { GET as list, POST as create } from "./route";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ autoDelivery: false });
});
afterAll(async () => {
  await sim?.close();
  await closeDb();
});

/** A valid create body per provider, with the simulator's default account credentials. */
function bodyFor(provider: ProviderKind): { body: Record<string, unknown>; secrets: string[] } {
  const a = sim.defaultAccounts;
  const base = { display_name: `${provider} main`, api_base_url: sim.url };
  switch (provider) {
    case "sendgrid":
      return {
        body: { ...base, from_email: "noreply@example.com", from_name: "Herald", credentials: { api_key_ref: a.sendgrid.apiKey, webhook_signing_key_ref: { value: a.sendgrid.publicKey } } },
        secrets: [a.sendgrid.apiKey],
      };
    case "mailgun":
      return {
        body: { ...base, domain: a.mailgun.domain, region: "eu", from_email: `hi@${a.mailgun.domain}`, from_name: "Herald", credentials: { api_key_ref: a.mailgun.apiKey, webhook_signing_key_ref: a.mailgun.webhookSigningKey } },
        secrets: [a.mailgun.apiKey, a.mailgun.webhookSigningKey],
      };
    case "elks":
      return {
        body: { ...base, sender_id: "Herald", credentials: { api_username_ref: a.elks.username, api_password_ref: a.elks.password } },
        secrets: [a.elks.password],
      };
    case "twilio":
      return {
        body: { ...base, from_number: "+15005550006", supported_countries: ["se", "US"], credentials: { account_sid_ref: a.twilio.accountSid, auth_token_ref: a.twilio.authToken } },
        secrets: [a.twilio.authToken],
      };
    case "infobip":
      return { body: { ...base, base_url: sim.url, sender: "InfoSMS", credentials: { api_key_ref: a.infobip.apiKey } }, secrets: [a.infobip.apiKey] };
    case "fcm":
      return {
        body: { ...base, project_id: a.fcm.projectId, credentials: { service_account_json_ref: JSON.stringify(a.fcm.serviceAccount) } },
        secrets: [a.fcm.serviceAccount.private_key.split("\n")[1]!],
      };
    case "onesignal":
      return { body: { ...base, app_id: a.onesignal.appId, credentials: { rest_api_key_ref: a.onesignal.apiKey } }, secrets: [a.onesignal.apiKey] };
    case "whatsapp":
      return {
        body: {
          ...base,
          phone_number_id: a.whatsapp.phoneNumberId,
          business_account_id: a.whatsapp.wabaId,
          display_phone_number: `+${a.whatsapp.displayPhoneNumber}`,
          business_name: "Herald",
          default_language_code: "en_US",
          credentials: { access_token_ref: a.whatsapp.accessToken, app_secret_ref: a.whatsapp.appSecret, webhook_verify_token_ref: a.whatsapp.verifyToken },
        },
        secrets: [a.whatsapp.accessToken, a.whatsapp.appSecret],
      };
    case "netgsm":
      return {
        body: { ...base, msgheader: a.netgsm.msgheaders[0], credentials: { usercode_ref: a.netgsm.usercode, password_ref: a.netgsm.password } },
        secrets: [a.netgsm.password],
      };
  }
}

async function setup() {
  const ctx = await makeContext("admin");
  const key = await createApiKey(ctx, { name: "configs", scopes: ["configs:read", "configs:write"] });
  return { ctx, key: key.key };
}

const path = (p: string, id?: string, tail = "") => `/api/communication/${p}/configs${id ? `/${id}` : ""}${tail}`;

describe.each(providerKinds.map((p) => [p]))("%s configs", (provider) => {
  it("is created, tested against the simulator, paused, activated and decommissioned, leaking no secret", async () => {
    const { ctx, key } = await setup();
    const { body, secrets } = bodyFor(provider);
    const bodies: string[] = [];
    const call = async (res: Response, status: number) => {
      const text = await res.text();
      bodies.push(text);
      expect(res.status, text).toBe(status);
      return JSON.parse(text);
    };

    const created = await call(await create(request(path(provider), { method: "POST", key, body }), params({ provider })), 201);
    expect(created).toMatchObject({ provider, status: "draft", display_name: `${provider} main`, allowed_transitions: ["active", "decommissioned"] });
    for (const field of Object.keys(body.credentials as object)) {
      expect(created.credentials[field]).toMatchObject({ source: "secret", set: true, rotated_at: null });
      expect(created.credentials[field].ref).toMatch(/^secret:/);
    }
    if (provider === "elks" || provider === "infobip") {
      expect(created.dlr_callback_url).toMatch(new RegExp(`^http://localhost:3000/api/webhooks/${provider}/${created.id}\\?token=[\\w-]{20,}$`));
      const token = new URL(created.dlr_callback_url).searchParams.get("token");
      const record = await findConfigForWebhook(provider, created.id);
      expect(await verifyCallbackToken(record!, token)).toBe(true);
      expect(await verifyCallbackToken(record!, "wrong")).toBe(false);
    }
    if (provider === "twilio") {
      expect(created.status_callback_url).toBe(`http://localhost:3000/api/webhooks/twilio/${created.id}`);
      expect(created.supported_countries).toEqual(["SE", "US"]);
    }
    if (provider === "whatsapp") expect(created.default_language_code).toBe("en-US");

    const tested = await call(await runTest(request(path(provider, created.id, "/test"), { method: "POST", key }), params({ provider, id: created.id })), 200);
    // A passing test never activates a draft: activation is its own step.
    expect(tested, JSON.stringify(tested)).toMatchObject({ ok: true, outcome: "ok", config: { status: "draft", last_error: null } });
    expect(tested.config.last_tested_at).not.toBeNull();
    expect(await listActiveConfigs(ctx.tenantId, provider)).toEqual([]);
    await call(await transition(request(path(provider, created.id, "/transition"), { method: "POST", key, body: { to: "active" } }), params({ provider, id: created.id })), 200);
    expect((await listActiveConfigs(ctx.tenantId, provider)).map((c) => c.id)).toEqual([created.id]);

    const paused = await call(await transition(request(path(provider, created.id, "/transition"), { method: "POST", key, body: { to: "paused" } }), params({ provider, id: created.id })), 200);
    expect(paused.status).toBe("paused");
    expect(await listActiveConfigs(ctx.tenantId, provider)).toEqual([]);
    const again = await call(await transition(request(path(provider, created.id, "/transition"), { method: "POST", key, body: { to: "paused" } }), params({ provider, id: created.id })), 409);
    expect(again.error.details.allowed).toEqual(["active", "decommissioned"]);

    await call(await transition(request(path(provider, created.id, "/transition"), { method: "POST", key, body: { to: "active" } }), params({ provider, id: created.id })), 200);
    const gone = await call(await DELETE(request(path(provider, created.id), { method: "DELETE", key }), params({ provider, id: created.id })), 200);
    expect(gone).toMatchObject({ status: "decommissioned", allowed_transitions: [] });
    const stuck = await call(await transition(request(path(provider, created.id, "/transition"), { method: "POST", key, body: { to: "active" } }), params({ provider, id: created.id })), 409);
    expect(stuck.error.details).toMatchObject({ from: "decommissioned", allowed: [] });
    await call(await runTest(request(path(provider, created.id, "/test"), { method: "POST", key }), params({ provider, id: created.id })), 409);
    await call(await PATCH(request(path(provider, created.id), { method: "PATCH", key, body: { display_name: "x" } }), params({ provider, id: created.id })), 409);

    const listed = await call(await list(request(path(provider), { key }), params({ provider })), 200);
    expect(listed.data.map((c: { id: string }) => c.id)).toEqual([created.id]);

    // No secret value anywhere in what the API said, nor in the audit trail.
    const audit = JSON.stringify(await listAuditEntries(getDb(), { tenantId: ctx.tenantId, limit: 100 }));
    expect(audit).toContain("provider_config.tested");
    for (const secret of secrets) {
      for (const text of [...bodies, audit]) expect(text).not.toContain(secret);
    }
  });

  it("moves to error with the provider's message when the provider rejects the credentials", async () => {
    const { key } = await setup();
    const { body } = bodyFor(provider);
    const creds = Object.fromEntries(Object.keys(body.credentials as object).map((k) => [k, (body.credentials as Record<string, unknown>)[k]]));
    // Corrupt the credential the provider authenticates with.
    const authField = { sendgrid: "api_key_ref", mailgun: "api_key_ref", elks: "api_password_ref", twilio: "auth_token_ref", infobip: "api_key_ref", fcm: "service_account_json_ref", onesignal: "rest_api_key_ref", whatsapp: "access_token_ref", netgsm: "password_ref" }[provider];
    if (provider === "fcm") {
      const sa = { ...sim.defaultAccounts.fcm.serviceAccount, client_email: "nobody@" + sim.defaultAccounts.fcm.projectId + ".iam.gserviceaccount.com" };
      creds[authField] = JSON.stringify(sa);
    } else {
      creds[authField] = "wrong-credential-value-0000";
    }
    const res = await create(request(path(provider), { method: "POST", key, body: { ...body, credentials: creds } }), params({ provider }));
    const created = await res.json();
    expect(res.status, JSON.stringify(created)).toBe(201);
    const tested = await (await runTest(request(path(provider, created.id, "/test"), { method: "POST", key }), params({ provider, id: created.id }))).json();
    expect(tested, JSON.stringify(tested)).toMatchObject({ ok: false, config: { status: "error" } });
    expect(["auth", "rejected"]).toContain(tested.outcome);
    expect(tested.config.last_error).toBe(tested.message);
    expect(tested.message.length).toBeGreaterThan(0);
    expect(JSON.stringify(tested)).not.toContain("wrong-credential-value-0000");

    // error → active only through a passing test.
    const blocked = await (await transition(request(path(provider, created.id, "/transition"), { method: "POST", key, body: { to: "active" } }), params({ provider, id: created.id }))).json();
    expect(blocked.error).toMatchObject({ code: "conflict", details: { from: "error", allowed: ["decommissioned"] } });
    const fixed = await PATCH(
      request(path(provider, created.id), { method: "PATCH", key, body: { credentials: body.credentials } }),
      params({ provider, id: created.id }),
    );
    const fixedBody = await fixed.json();
    expect(fixed.status, JSON.stringify(fixedBody)).toBe(200);
    // Rotation keeps the ref.
    expect(fixedBody.credentials[authField].ref).toBe(created.credentials[authField].ref);
    expect(fixedBody.credentials[authField].rotated_at).not.toBeNull();
    const retest = await (await runTest(request(path(provider, created.id, "/test"), { method: "POST", key }), params({ provider, id: created.id }))).json();
    // It never sent: a passing test puts it back to draft, not live.
    expect(retest, JSON.stringify(retest)).toMatchObject({ ok: true, config: { status: "draft", last_error: null } });
  });
});

describe("provider config validation and access", () => {
  it.each<[ProviderKind, Record<string, unknown>, string]>([
    ["elks", { sender_id: "ThisIsTooLong1" }, "sender_id"],
    ["elks", { sender_id: "+0123" }, "sender_id"],
    ["elks", { default_country_code: "46" }, "default_country_code"],
    ["twilio", { from_number: "0700000000" }, "from_number"],
    ["twilio", { supported_countries: ["XX"] }, "supported_countries[0]"],
    ["twilio", { messaging_service_sid: "MG123" }, "messaging_service_sid"],
    ["whatsapp", { default_language_code: "not a tag!" }, "default_language_code"],
    ["mailgun", { region: "asia" }, "region"],
    ["sendgrid", { from_email: "nope" }, "from_email"],
    ["fcm", { default_priority: "urgent" }, "default_priority"],
    ["fcm", { default_ttl_seconds: 9_999_999 }, "default_ttl_seconds"],
    ["onesignal", { app_id: "abc" }, "app_id"],
    ["infobip", { base_url: "ftp://x" }, "base_url"],
    ["sendgrid", { provider: "mailgun" }, "provider"],
    ["sendgrid", { unknown_field: 1 }, ""],
    ["sendgrid", { credentials: {} }, "credentials.api_key_ref"],
    ["sendgrid", { credentials: { api_key_ref: { ref: "env:HERALD_MASTER_KEY" }, webhook_signing_key_ref: "k" } }, "credentials.api_key_ref"],
    ["fcm", { credentials: { service_account_json_ref: "{not json" } }, "credentials.service_account_json_ref"],
    ["twilio", { credentials: { account_sid_ref: "nope", auth_token_ref: "x" } }, "credentials.account_sid_ref"],
  ])("%s: %j answers 422 naming %s", async (provider, patch, field) => {
    const { key } = await setup();
    const res = await create(request(path(provider), { method: "POST", key, body: { ...bodyFor(provider).body, ...patch } }), params({ provider }));
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(422);
    expect(body.error.code).toBe("validation_failed");
    expect(body.error.details.map((d: { path: string }) => d.path)).toContain(field);
    expect(JSON.stringify(body)).not.toContain("wrong");
  });

  it("answers 404 for unknown providers, non-UUID ids, another provider's path and another tenant's config", async () => {
    const { key } = await setup();
    const created = await (await create(request(path("onesignal"), { method: "POST", key, body: bodyFor("onesignal").body }), params({ provider: "onesignal" }))).json();
    expect((await list(request(path("pigeon"), { key }), params({ provider: "pigeon" }))).status).toBe(404);
    expect((await create(request(path("pigeon"), { method: "POST", key, body: {} }), params({ provider: "pigeon" }))).status).toBe(404);
    expect((await getOne(request(path("onesignal", "nope"), { key }), params({ provider: "onesignal", id: "nope" }))).status).toBe(404);
    expect((await getOne(request(path("fcm", created.id), { key }), params({ provider: "fcm", id: created.id }))).status).toBe(404);
    expect((await getOne(request(path("onesignal", created.id), { key }), params({ provider: "onesignal", id: created.id }))).status).toBe(200);

    const other = await setup();
    const p = { provider: "onesignal", id: created.id };
    expect((await getOne(request(path("onesignal", created.id), { key: other.key }), params(p))).status).toBe(404);
    expect((await PATCH(request(path("onesignal", created.id), { method: "PATCH", key: other.key, body: { display_name: "mine" } }), params(p))).status).toBe(404);
    expect((await DELETE(request(path("onesignal", created.id), { method: "DELETE", key: other.key }), params(p))).status).toBe(404);
    expect((await transition(request(path("onesignal", created.id, "/transition"), { method: "POST", key: other.key, body: { to: "active" } }), params(p))).status).toBe(404);
    expect((await runTest(request(path("onesignal", created.id, "/test"), { method: "POST", key: other.key }), params(p))).status).toBe(404);
    const theirs = await (await list(request(path("onesignal"), { key: other.key }), params({ provider: "onesignal" }))).json();
    expect(theirs.data).toEqual([]);
  });

  it("lets viewers read but not write, and keys need the scope", async () => {
    const { ctx, key } = await setup();
    const viewer = await makeUser({ tenantId: ctx.tenantId, role: "viewer" });
    const cookie = await sessionCookie(viewer.id, ctx.tenantSlug);
    expect((await list(request(path("sendgrid"), { cookie }), params({ provider: "sendgrid" }))).status).toBe(200);
    expect((await create(request(path("sendgrid"), { method: "POST", cookie, body: bodyFor("sendgrid").body }), params({ provider: "sendgrid" }))).status).toBe(403);
    const readOnly = await createApiKey(ctx, { name: "ro", scopes: ["configs:read"] });
    expect((await create(request(path("sendgrid"), { method: "POST", key: readOnly.key, body: bodyFor("sendgrid").body }), params({ provider: "sendgrid" }))).status).toBe(403);
    expect((await list(request(path("sendgrid"), { key }), params({ provider: "sendgrid" }))).status).toBe(200);
  });

  it("shows the delivery-report callback token only to callers who may write configs, and admins rotate it", async () => {
    const { ctx, key } = await setup();
    const viewer = await makeUser({ tenantId: ctx.tenantId, role: "viewer" });
    const staff = await makeUser({ tenantId: ctx.tenantId, role: "staff" });
    const admin = await makeUser({ tenantId: ctx.tenantId, role: "admin" });
    const readOnly = await createApiKey(ctx, { name: "ro", scopes: ["configs:read"] });
    const asViewer = { cookie: await sessionCookie(viewer.id, ctx.tenantSlug) };
    const asStaff = { cookie: await sessionCookie(staff.id, ctx.tenantSlug) };
    const asAdmin = { cookie: await sessionCookie(admin.id, ctx.tenantSlug) };
    for (const provider of ["elks", "infobip"] as const) {
      const created = (await (await create(request(path(provider), { method: "POST", key, body: bodyFor(provider).body }), params({ provider }))).json()) as { id: string; dlr_callback_url: string };
      const token = new URL(created.dlr_callback_url).searchParams.get("token")!;
      expect(token.length).toBeGreaterThanOrEqual(20);
      const p = params({ provider, id: created.id });
      for (const who of [asViewer, asStaff, { key: readOnly.key }]) {
        const listed = (await (await list(request(path(provider), who), params({ provider }))).json()) as { data: { id: string; dlr_callback_url: string }[] };
        const one = (await (await getOne(request(path(provider, created.id), who), p)).json()) as { dlr_callback_url: string };
        for (const url of [listed.data.find((c) => c.id === created.id)!.dlr_callback_url, one.dlr_callback_url]) {
          expect(url).toBe(`http://localhost:3000/api/webhooks/${provider}/${created.id}?token=********`);
          expect(url).not.toContain(token);
        }
        expect((await rotateToken(request(path(provider, created.id, "/rotate-callback-token"), { method: "POST", ...who }), p)).status).toBe(403);
      }
      const seen = (await (await getOne(request(path(provider, created.id), asAdmin), p)).json()) as { dlr_callback_url: string };
      expect(seen.dlr_callback_url).toBe(created.dlr_callback_url);

      const rotated = await rotateToken(request(path(provider, created.id, "/rotate-callback-token"), { method: "POST", ...asAdmin }), p);
      expect(rotated.status).toBe(200);
      const fresh = new URL(((await rotated.json()) as { dlr_callback_url: string }).dlr_callback_url).searchParams.get("token")!;
      expect(fresh).not.toBe(token);
      expect(fresh.length).toBeGreaterThanOrEqual(20);
      // The webhook route: the old token is refused, the new one accepted.
      const report = (t: string) =>
        provider === "elks"
          ? request(`/api/webhooks/elks/${created.id}?token=${encodeURIComponent(t)}`, { method: "POST", rawBody: "id=s1&status=delivered", headers: { "content-type": "application/x-www-form-urlencoded" } })
          : request(`/api/webhooks/infobip/${created.id}?token=${encodeURIComponent(t)}`, { method: "POST", body: { results: [] } });
      const hook = params({ provider, configId: created.id });
      expect((await receiveWebhook(report(token), hook)).status).toBe(401);
      expect((await receiveWebhook(report("********"), hook)).status).toBe(401);
      expect((await receiveWebhook(report(fresh), hook)).status).toBeLessThan(300);
      const audit = (await listAuditEntries(getDb(), { tenantId: ctx.tenantId, limit: 50 })).map((a) => a.action);
      expect(audit).toContain("provider_config.callback_token_rotated");
    }
    const sg = (await (await create(request(path("sendgrid"), { method: "POST", key, body: bodyFor("sendgrid").body }), params({ provider: "sendgrid" }))).json()) as { id: string };
    expect((await rotateToken(request(path("sendgrid", sg.id, "/rotate-callback-token"), { method: "POST", key }), params({ provider: "sendgrid", id: sg.id }))).status).toBe(409);
  });

  it("filters by status and pages with a cursor", async () => {
    const { key } = await setup();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await (await create(request(path("infobip"), { method: "POST", key, body: { ...bodyFor("infobip").body, display_name: `ib ${i}` } }), params({ provider: "infobip" }))).json();
      ids.push(c.id);
    }
    await DELETE(request(path("infobip", ids[1]), { method: "DELETE", key }), params({ provider: "infobip", id: ids[1]! }));
    const page1 = await (await list(request(`${path("infobip")}?limit=2`, { key }), params({ provider: "infobip" }))).json();
    expect(page1.data.map((c: { id: string }) => c.id)).toEqual(ids.slice(0, 2));
    const page2 = await (await list(request(`${path("infobip")}?limit=2&cursor=${page1.next_cursor}`, { key }), params({ provider: "infobip" }))).json();
    expect(page2).toMatchObject({ next_cursor: null });
    expect(page2.data.map((c: { id: string }) => c.id)).toEqual([ids[2]]);
    const drafts = await (await list(request(`${path("infobip")}?status=draft`, { key }), params({ provider: "infobip" }))).json();
    expect(drafts.data.map((c: { id: string }) => c.id)).toEqual([ids[0], ids[2]]);
    const bad = await list(request(`${path("infobip")}?status=sleeping`, { key }), params({ provider: "infobip" }));
    expect(bad.status).toBe(422);
    expect((await list(request(`${path("infobip")}?cursor=zzz`, { key }), params({ provider: "infobip" }))).status).toBe(400);
  });

  it.each(["sendgrid", "mailgun"] as const)("%s: the webhook verification key is not required at creation; events are refused until it is set", async (provider) => {
    const { key } = await setup();
    const { body } = bodyFor(provider);
    const { webhook_signing_key_ref: _later, ...credentials } = body.credentials as Record<string, unknown>;
    const res = await create(request(path(provider), { method: "POST", key, body: { ...body, credentials } }), params({ provider }));
    const created = await res.json();
    expect(res.status, JSON.stringify(created)).toBe(201);
    expect(created.credentials.webhook_signing_key_ref).toBeUndefined();
    const activated = await (await transition(request(path(provider, created.id, "/transition"), { method: "POST", key, body: { to: "active" } }), params({ provider, id: created.id }))).json();
    expect(activated.status, JSON.stringify(activated)).toBe("active");
    const { POST: webhook } = await import("@/app/api/webhooks/[provider]/[configId]/route");
    const hook = await webhook(request(`/api/webhooks/${provider}/${created.id}`, { method: "POST", rawBody: "[]", headers: { "content-type": "application/json" } }), {
      params: Promise.resolve({ provider, configId: created.id }),
    });
    expect(hook.status).toBe(401);
  });

  it("activation needs resolvable credentials; env refs must be allowed and set", async () => {
    const { key } = await setup();
    const body = { ...bodyFor("onesignal").body, credentials: { rest_api_key_ref: { ref: "env:HERALD_CRED_ONESIGNAL_TEST" } } };
    const created = await (await create(request(path("onesignal"), { method: "POST", key, body }), params({ provider: "onesignal" }))).json();
    expect(created.credentials.rest_api_key_ref).toMatchObject({ ref: "env:HERALD_CRED_ONESIGNAL_TEST", source: "env", set: false });
    const p = { provider: "onesignal", id: created.id };
    const refused = await (await transition(request(path("onesignal", created.id, "/transition"), { method: "POST", key, body: { to: "active" } }), params(p))).json();
    expect(refused.error.details.missing_credentials).toEqual(["rest_api_key_ref"]);
    const missing = await (await runTest(request(path("onesignal", created.id, "/test"), { method: "POST", key }), params(p))).json();
    expect(missing).toMatchObject({ ok: false, outcome: "credentials_missing", config: { status: "error" } });

    process.env.HERALD_CRED_ONESIGNAL_TEST = sim.defaultAccounts.onesignal.apiKey;
    try {
      const ok = await (await runTest(request(path("onesignal", created.id, "/test"), { method: "POST", key }), params(p))).json();
      // Never sent: the passing test clears the error back to draft; activation is explicit and now allowed.
      expect(ok).toMatchObject({ ok: true, config: { status: "draft", credentials: { rest_api_key_ref: { set: true } } } });
      const activated = await (await transition(request(path("onesignal", created.id, "/transition"), { method: "POST", key, body: { to: "active" } }), params(p))).json();
      expect(activated.status).toBe("active");
      expect(JSON.stringify(ok)).not.toContain(sim.defaultAccounts.onesignal.apiKey);
    } finally {
      delete process.env.HERALD_CRED_ONESIGNAL_TEST;
    }
  });

  it("markConfigError stops an active config from sending; resolveCredentials decrypts for the engine", async () => {
    const { ctx, key } = await setup();
    const created = await (await create(request(path("sendgrid"), { method: "POST", key, body: bodyFor("sendgrid").body }), params({ provider: "sendgrid" }))).json();
    await runTest(request(path("sendgrid", created.id, "/test"), { method: "POST", key }), params({ provider: "sendgrid", id: created.id }));
    await transition(request(path("sendgrid", created.id, "/transition"), { method: "POST", key, body: { to: "active" } }), params({ provider: "sendgrid", id: created.id }));
    const [active] = await listActiveConfigs(ctx.tenantId, "sendgrid");
    expect(active?.provider).toBe("sendgrid");
    if (active?.provider !== "sendgrid") return;
    expect(active.settings.enable_open_tracking).toBe(true);
    expect((await resolveCredentials(active)).api_key_ref).toBe(sim.defaultAccounts.sendgrid.apiKey);

    expect(await markConfigError(ctx.tenantId, created.id, "401 from SendGrid: The provided authorization grant is invalid")).toBe(true);
    expect(await listActiveConfigs(ctx.tenantId)).toEqual([]);
    const after = await (await getOne(request(path("sendgrid", created.id), { key }), params({ provider: "sendgrid", id: created.id }))).json();
    expect(after).toMatchObject({ status: "error", last_error: expect.stringContaining("authorization grant") });
  });

  it("PATCH validates the merged config and keeps unspecified fields", async () => {
    const { key } = await setup();
    const created = await (await create(request(path("elks"), { method: "POST", key, body: bodyFor("elks").body }), params({ provider: "elks" }))).json();
    const p = { provider: "elks", id: created.id };
    const res = await PATCH(request(path("elks", created.id), { method: "PATCH", key, body: { sender_id: "+46700000000" } }), params(p));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ sender_id: "+46700000000", default_country_code: "+46", display_name: "elks main" });
    const bad = await PATCH(request(path("elks", created.id), { method: "PATCH", key, body: { sender_id: "Way too long sender" } }), params(p));
    expect(bad.status).toBe(422);
    expect((await bad.json()).error.details[0].path).toBe("sender_id");
    expect((await PATCH(request(path("elks", created.id), { method: "PATCH", key, body: {} }), params(p))).status).toBe(422);
  });
});
