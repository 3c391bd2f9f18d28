import { afterAll, describe, expect, it } from "vitest";
import { closeDb } from "@/db";
import { signInWithPassword, SIGN_IN_LIMITS } from "@/lib/auth/sign-in";
import { makeContext, makeUser } from "@/lib/test/factories";
import { changeMemberRole, changeOwnPassword, createMemberForTenantSlug, listMembers, removeMember } from "./members";
import { listAudit } from "@/lib/audit/list-audit";

afterAll(() => closeDb());

describe("members", () => {
  it("the admin CLI path adds a new account with a one-time password that signs in once and must be changed", async () => {
    const ctx = await makeContext("owner");
    const { member: invited } = await createMemberForTenantSlug({ tenantSlug: ctx.tenantSlug, email: `New.${ctx.tenantSlug}@Example.test`, role: "staff" });
    expect(invited.oneTimePassword).toMatch(/^[\w]{4}-[\w]{4}-[\w]{4}-[\w]{4}$/);
    expect(invited.email).toBe(invited.email.toLowerCase());
    const signIn = await signInWithPassword({ email: invited.email, password: invited.oneTimePassword!, ip: "10.0.0.1" });
    expect(signIn.ok).toBe(true);
    await changeOwnPassword(invited.userId, { currentPassword: invited.oneTimePassword!, newPassword: "a much longer passphrase" });
    expect((await signInWithPassword({ email: invited.email, password: invited.oneTimePassword!, ip: "10.0.0.1" })).ok).toBe(false);

    const audit = await listAudit(ctx, { limit: 10 });
    expect(audit.data.map((a) => a.action)).toContain("member.added");
    expect(JSON.stringify(audit)).not.toContain(invited.oneTimePassword!);
  });

  it("keeps at least one owner and lets only owners grant ownership", async () => {
    const owner = await makeContext("owner");
    await expect(changeMemberRole(owner, owner.userId, "admin")).rejects.toMatchObject({ status: 409 });
    const admin = await makeUser({ tenantId: owner.tenantId, role: "admin" });
    const adminCtx = { ...owner, actor: { type: "user" as const, userId: admin.id, email: admin.email, role: "admin" as const } };
    const staff = await makeUser({ tenantId: owner.tenantId, role: "staff" });
    await expect(changeMemberRole(adminCtx, staff.id, "owner")).rejects.toMatchObject({ status: 403 });
    await expect(removeMember(adminCtx, owner.userId)).rejects.toMatchObject({ status: 403 });
    await changeMemberRole(owner, staff.id, "viewer");
    const members = await listMembers(owner);
    expect(members.find((m) => m.userId === staff.id)?.role).toBe("viewer");
    await expect(changeMemberRole(owner, "00000000-0000-4000-8000-000000000000", "viewer")).rejects.toMatchObject({ status: 404 });
  });

  it("rate-limits failed sign-ins per email", async () => {
    const ctx = await makeContext("owner");
    const user = await makeUser({ tenantId: ctx.tenantId, role: "staff" });
    for (let i = 0; i < SIGN_IN_LIMITS.perEmail; i++) {
      const r = await signInWithPassword({ email: user.email, password: "wrong", ip: `192.0.2.${i}` });
      expect(r).toEqual({ ok: false, reason: "invalid" });
    }
    const blocked = await signInWithPassword({ email: user.email, password: user.password, ip: "192.0.2.99" });
    expect(blocked.ok).toBe(false);
    expect(blocked).toMatchObject({ reason: "rate_limited" });
    if (!blocked.ok && blocked.reason === "rate_limited") expect(blocked.retryAfterSeconds).toBeGreaterThan(0);
  });
});
