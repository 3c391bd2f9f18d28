// The audit log names its targets and filters by actor, action and time.
import { afterAll, describe, expect, it } from "vitest";
import { closeDb } from "@/db";
import { createApiKey } from "@/lib/auth/api-keys";
import { changeMemberRole } from "@/lib/members/members";
import { makeContext, makeUser } from "@/lib/test/factories";
import { auditLogQuery } from "@/lib/validations/audit-log";
import { listAudit } from "./list-audit";

afterAll(async () => {
  await closeDb();
});

describe("listAudit", () => {
  it("names whose role changed, and filters by action, actor and time", async () => {
    const ctx = await makeContext("owner");
    const other = await makeUser({ tenantId: ctx.tenantId, role: "viewer" });
    await changeMemberRole(ctx, other.id, "staff");
    await createApiKey(ctx, { name: "billing-service", scopes: ["messages:read"] });

    const q = (p: Record<string, string>) => listAudit(ctx, auditLogQuery.parse(p));
    const roles = await q({ action: "member.role_changed" });
    expect(roles.data).toHaveLength(1);
    expect(roles.data[0]).toMatchObject({
      actor: { label: ctx.actor.type === "user" ? ctx.actor.email : "" },
      target: { type: "user", id: other.id, label: other.email },
      details: { from: "viewer", to: "staff" },
    });

    const keys = await q({ action: "api_key.*" });
    expect(keys.data.map((e) => [e.action, e.target.label])).toEqual([["api_key.created", "billing-service"]]);

    expect((await q({ actor: ctx.userId })).data.length).toBeGreaterThanOrEqual(2);
    expect((await q({ actor: other.id })).data).toEqual([]);
    expect((await q({ since: new Date(Date.now() + 60_000).toISOString() })).data).toEqual([]);

    const all = await q({});
    expect(all.facets?.actions).toEqual(expect.arrayContaining(["member.role_changed", "api_key.created"]));
    expect(all.facets?.actors).toContainEqual(expect.objectContaining({ id: ctx.userId }));
  });

  it("refuses an action filter that is not an action", () => {
    expect(auditLogQuery.safeParse({ action: "'; drop" }).success).toBe(false);
  });
});
