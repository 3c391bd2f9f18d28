// Invitations through the real routes (issue 11, hole 3): nobody is added without accepting, the
// invite answer is the same whether or not the email has an account, nothing from another tenant
// shows before acceptance, and concurrent invites of one email make one invitation.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { memberInvitations, memberships, messages } from "@/db/schema";
import { startSimulator, type Simulator } from "@/e2e/simulator/server";
import { signInWithPassword } from "@/lib/auth/sign-in";
import { makeSimConfig } from "@/lib/test/delivery";
import { makeContext, makeUser, uniqueSlug } from "@/lib/test/factories";
import { params, request, sessionCookie } from "@/lib/test/http";
import { POST as accept } from "@/app/api/invitations/[token]/accept/route";
import { GET as getMessage } from "@/app/api/v1/messages/[id]/route";
import { DELETE as revoke } from "./invitations/[id]/route";
import { POST as resend } from "./invitations/[id]/resend/route";
import { GET as list, POST as invite } from "./route";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ autoDelivery: false });
});
afterAll(async () => {
  await sim?.close();
  await closeDb();
});

type Issued = { invitation: { id: string; email: string; role: string; status: string }; accept_url: string; emailed: boolean; message_id?: string; email_reason?: string; error?: { code: string } };

async function adminOf() {
  const ctx = await makeContext("owner");
  const admin = await makeUser({ tenantId: ctx.tenantId, role: "admin" });
  return { ctx, admin, cookie: await sessionCookie(admin.id, ctx.tenantSlug) };
}

async function inviteAs(cookie: string, body: Record<string, unknown>) {
  const res = await invite(request("/api/v1/members", { method: "POST", cookie, body }), params({}));
  return { status: res.status, json: (await res.json()) as Issued };
}

const tokenOf = (url: string) => new URL(url).pathname.split("/").pop()!;
const acceptAs = (token: string, init: { cookie?: string; body?: Record<string, unknown> } = {}) =>
  accept(request(`/api/invitations/${token}/accept`, { method: "POST", cookie: init.cookie, body: init.body ?? {} }), params({ token }));

describe("member invitations", () => {
  it("answer the same whether or not the email has an account, and add nobody before acceptance", async () => {
    const a = await adminOf();
    const b = await makeContext("owner");
    const elsewhere = await makeUser({ tenantId: b.tenantId, role: "staff" });
    await getDb().execute(`update users set name = 'Name from tenant B', last_sign_in_at = now() where id = '${elsewhere.id}'`);
    const fresh = `${uniqueSlug("new")}@example.test`;

    const existing = await inviteAs(a.cookie, { email: elsewhere.email, role: "staff" });
    const brandNew = await inviteAs(a.cookie, { email: fresh, role: "staff" });
    for (const r of [existing, brandNew]) {
      expect(r.status).toBe(201);
      expect(Object.keys(r.json).sort()).toEqual(["accept_url", "email_reason", "emailed", "invitation"]);
      expect(Object.keys(r.json.invitation).sort()).toEqual(["created_at", "email", "expires_at", "id", "invited_by", "last_sent_at", "role", "status"]);
      expect(r.json).not.toHaveProperty("one_time_password");
      expect(r.json.invitation.status).toBe("pending");
      expect(r.json.accept_url).toMatch(/^http:\/\/localhost:3000\/invite\/[\w-]{43}$/);
    }
    expect(existing.json.email_reason).toBe(brandNew.json.email_reason);

    // Not a member yet; the list shows the invitation by email only.
    expect(await getDb().select().from(memberships).where(and(eq(memberships.tenantId, a.ctx.tenantId), eq(memberships.userId, elsewhere.id)))).toHaveLength(0);
    const listed = (await (await list(request("/api/v1/members", { cookie: a.cookie }), params({}))).json()) as { data: { email: string }[]; invitations: Record<string, unknown>[] };
    expect(listed.data.map((m) => m.email)).not.toContain(elsewhere.email);
    const shown = listed.invitations.find((i) => i.email === elsewhere.email)!;
    expect(shown).toMatchObject({ email: elsewhere.email, role: "staff", status: "pending" });
    expect(JSON.stringify(listed)).not.toContain("Name from tenant B");
    expect(shown).not.toHaveProperty("name");
    expect(shown).not.toHaveProperty("last_sign_in_at");

    // A viewer may look but not invite.
    const viewer = await makeUser({ tenantId: a.ctx.tenantId, role: "viewer" });
    expect((await inviteAs(await sessionCookie(viewer.id, a.ctx.tenantSlug), { email: fresh, role: "staff" })).status).toBe(403);
  });

  it("an existing account accepts signed in as the invited email; a new one sets its password; links work once", async () => {
    const a = await adminOf();
    const b = await makeContext("owner");
    const elsewhere = await makeUser({ tenantId: b.tenantId, role: "staff" });
    const issued = await inviteAs(a.cookie, { email: elsewhere.email, role: "viewer" });
    const token = tokenOf(issued.json.accept_url);

    expect((await acceptAs(token)).status).toBe(401); // no session, no password
    const intruder = await makeUser({ tenantId: b.tenantId, role: "owner" });
    expect((await acceptAs(token, { cookie: await sessionCookie(intruder.id) })).status).toBe(403);
    // An existing account cannot be taken over by choosing a password through the link.
    expect((await acceptAs(token, { body: { password: "a brand new passphrase" } })).status).toBe(409);
    expect((await signInWithPassword({ email: elsewhere.email, password: elsewhere.password, ip: "203.0.113.9" })).ok).toBe(true);

    const ok = await acceptAs(token, { cookie: await sessionCookie(elsewhere.id) });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("set-cookie")).toContain(`herald-tenant=${a.ctx.tenantSlug}`);
    const [m] = await getDb().select().from(memberships).where(and(eq(memberships.tenantId, a.ctx.tenantId), eq(memberships.userId, elsewhere.id)));
    expect(m?.role).toBe("viewer");
    expect((await acceptAs(token, { cookie: await sessionCookie(elsewhere.id) })).status).toBe(410);

    const email = `${uniqueSlug("fresh")}@example.test`;
    const second = await inviteAs(a.cookie, { email, role: "staff" });
    expect((await acceptAs(tokenOf(second.json.accept_url), { body: { password: "short" } })).status).toBe(422);
    const created = await acceptAs(tokenOf(second.json.accept_url), { body: { password: "my own long passphrase", name: "Grace" } });
    expect(created.status).toBe(200);
    expect(await created.json()).toMatchObject({ email, new_account: true, tenant: { slug: a.ctx.tenantSlug } });
    expect((await signInWithPassword({ email, password: "my own long passphrase", ip: "203.0.113.9" })).ok).toBe(true);
    expect((await acceptAs("x".repeat(43), { body: { password: "whatever long enough" } })).status).toBe(404);
  });

  it("resend replaces the link, revoke closes it, concurrent invites of one email make one invitation", async () => {
    const a = await adminOf();
    const email = `${uniqueSlug("race")}@example.test`;
    const results = await Promise.all(Array.from({ length: 8 }, () => inviteAs(a.cookie, { email, role: "staff" })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    expect(results.filter((r) => r.status === 409).every((r) => r.json.error?.code === "conflict")).toBe(true);
    expect(await getDb().select().from(memberInvitations).where(and(eq(memberInvitations.tenantId, a.ctx.tenantId), eq(memberInvitations.email, email)))).toHaveLength(1);

    const first = results.find((r) => r.status === 201)!.json;
    const p = params({ id: first.invitation.id });
    const again = await resend(request(`/api/v1/members/invitations/${first.invitation.id}/resend`, { method: "POST", cookie: a.cookie }), p);
    expect(again.status).toBe(200);
    const reissued = (await again.json()) as Issued;
    expect(reissued.accept_url).not.toBe(first.accept_url);
    expect((await acceptAs(tokenOf(first.accept_url), { body: { password: "a long enough passphrase" } })).status).toBe(404);

    expect((await revoke(request(`/api/v1/members/invitations/${first.invitation.id}`, { method: "DELETE", cookie: a.cookie }), p)).status).toBe(204);
    expect((await acceptAs(tokenOf(reissued.accept_url), { body: { password: "a long enough passphrase" } })).status).toBe(410);
    expect((await revoke(request(`/api/v1/members/invitations/${first.invitation.id}`, { method: "DELETE", cookie: a.cookie }), p)).status).toBe(404);
    // Another tenant's admin cannot touch it.
    const other = await adminOf();
    expect((await resend(request(`/api/v1/members/invitations/${first.invitation.id}/resend`, { method: "POST", cookie: other.cookie }), p)).status).toBe(404);
    // After revoking, the email can be invited again.
    expect((await inviteAs(a.cookie, { email, role: "staff" })).status).toBe(201);
  });

  it("is emailed through the tenant's active email config, and the stored message masks the link", async () => {
    const a = await adminOf();
    await makeSimConfig(a.ctx, sim, "sendgrid");
    const email = `${uniqueSlug("mail")}@example.test`;
    const issued = await inviteAs(a.cookie, { email, role: "staff" });
    expect(issued.status).toBe(201);
    expect(issued.json.emailed).toBe(true);
    const [stored] = await getDb().select().from(messages).where(eq(messages.id, issued.json.message_id!));
    expect(stored).toMatchObject({ channel: "email", recipient: email });
    expect(JSON.stringify(stored!.payload)).toContain(issued.json.accept_url);
    const viewer = await makeUser({ tenantId: a.ctx.tenantId, role: "viewer" });
    const res = await getMessage(request(`/api/v1/messages/${stored!.id}`, { cookie: await sessionCookie(viewer.id, a.ctx.tenantSlug) }), params({ id: stored!.id }));
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(tokenOf(issued.json.accept_url));
    expect(text).toContain("/invite/[redacted]");
  });
});
