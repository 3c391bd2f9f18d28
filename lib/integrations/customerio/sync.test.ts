// Customer.io sync end to end: Herald's services write contacts and schools (the change triggers
// mark them), the sync run sends them over real HTTP to the simulator, and the tests assert the
// simulated workspace's final state.
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { customerioSyncState, outboxEvents } from "@/db/schema";
import { startSimulator, type Simulator } from "@/e2e/simulator";
import type { CustomerioAccount } from "@/e2e/simulator/providers/customerio";
import { createContact, updateContact } from "@/lib/contacts/contacts";
import { eraseContact } from "@/lib/contacts/erase";
import { createSchool, deleteSchool } from "@/lib/schools/schools";
import { makeContext } from "@/lib/test/factories";
import { customerioConfigInput } from "@/lib/validations/customerio";
import { getCustomerioConfig, replayCustomerioFailures, saveCustomerioConfig, setCustomerioStatus, testCustomerioCredentials } from "./integration";
import { runCustomerioSync } from "./sync";

let sim: Simulator;
const previousAllow = process.env.HERALD_PROVIDER_URL_ALLOW_HOSTS;
const fast = { backoffBaseMs: 50, backoffMaxMs: 400, inRunRetries: 1, runBudgetMs: 10_000 };

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  process.env.HERALD_PROVIDER_URL_ALLOW_HOSTS = "127.0.0.1";
});
afterAll(async () => {
  process.env.HERALD_PROVIDER_URL_ALLOW_HOSTS = previousAllow;
  await sim?.close();
});

async function setup(opts: { b2c?: boolean; b2b?: boolean; region?: "us" | "eu"; accountRegion?: "us" | "eu" } = {}) {
  const ctx = await makeContext("owner");
  const account = sim.createAccount({ provider: "customerio", credentials: { region: opts.accountRegion ?? opts.region ?? "us" } }) as CustomerioAccount;
  await saveCustomerioConfig(
    ctx,
    customerioConfigInput.parse({
      region: opts.region ?? "us",
      site_id: account.siteId,
      api_key: account.apiKey,
      api_base_url: sim.url,
      b2c_enabled: opts.b2c ?? true,
      b2b_enabled: opts.b2b ?? false,
    }),
  );
  await setCustomerioStatus(ctx, "active");
  const workspace = () => sim.state.customerio.workspace(account.id);
  const requests = () => sim.listRequests({ accountId: account.id });
  return { ctx, account, workspace, requests };
}

const sync = (tenantId: string, overrides = {}) => runCustomerioSync({ tenantId }, { ...fast, ...overrides });
async function countKicks(tenantId: string) {
  const rows = await getDb().select().from(outboxEvents).where(eq(outboxEvents.name, "herald/customerio.sync-due"));
  return rows.filter((k) => k.tenantId === tenantId).length;
}
const ext = (p: string) => `${p}-${randomBytes(3).toString("hex")}`;

describe("Customer.io sync", () => {
  it("coalesces ten quick edits into one identify of the latest state, and a re-run sends nothing", async () => {
    const { ctx, workspace, requests } = await setup();
    const pid = ext("p");
    const kicksBefore = await countKicks(ctx.tenantId);
    const c = await createContact(ctx, { external_id: pid, email: `${pid}@example.test`, name: "v0", attributes: { plan: "basic" } });
    for (let i = 1; i <= 10; i++) await updateContact(ctx, c.id, { name: `v${i}`, attributes: { plan: i % 2 ? "pro" : "basic", edit: i } });
    // The change triggers queued exactly one run for the burst.
    expect((await countKicks(ctx.tenantId)) - kicksBefore).toBe(1);

    const result = await sync(ctx.tenantId);
    expect(result.sent).toBe(1);
    const batches = requests().filter((r) => r.path.endsWith("/api/v2/batch"));
    expect(batches).toHaveLength(1);
    const ops = (batches[0]!.body as { batch: Record<string, any>[] }).batch;
    expect(ops).toHaveLength(1);
    expect(ops[0]).toMatchObject({ type: "person", action: "identify", identifiers: { id: pid }, attributes: { name: "v10", edit: 10, email: `${pid}@example.test` } });
    expect(workspace().people.get(pid)).toMatchObject({ name: "v10", plan: "basic", edit: 10, unsubscribed: false });

    const again = await sync(ctx.tenantId);
    expect(again.sent).toBe(0);
    expect(requests().filter((r) => r.path.endsWith("/api/v2/batch"))).toHaveLength(1);
    const cfg = await getCustomerioConfig(ctx);
    expect(cfg.counts).toMatchObject({ synced: 1, pending: 0, failed: 0 });
    expect(JSON.stringify(cfg)).not.toContain(ctx.tenantId === "" ? "x" : "apiKey");
  });

  it("imports a school with its owner as object, person and relationship; unlinking and deleting follow", async () => {
    const { ctx, workspace } = await setup({ b2c: false, b2b: true });
    const school = await createSchool(ctx, { name: "Lindholm School", city: "Malmö", type: "primary" } as never);
    const ownerId = ext("owner");
    const parentId = ext("parent");
    const owner = await createContact(ctx, { external_id: ownerId, email: `${ownerId}@example.test`, name: "Olga Owner", schools: [{ school_id: school.id, role: "owner" }] });
    await createContact(ctx, { external_id: parentId, name: "Pat Parent", schools: [{ school_id: school.id, role: "parent" }] });
    await sync(ctx.tenantId);

    const w = workspace();
    expect(w.objects.get(`1:${school.slug}`)).toMatchObject({ name: "Lindholm School", city: "Malmö" });
    expect(w.people.get(ownerId)).toMatchObject({ name: "Olga Owner" });
    // B2C is off: the parent (not a B2B role) is not sent.
    expect(w.people.has(parentId)).toBe(false);
    expect([...w.relationships.values()]).toEqual([{ personId: ownerId, objectTypeId: "1", objectId: school.slug, attributes: { role: "owner" } }]);

    await updateContact(ctx, owner.id, { schools: [] });
    await sync(ctx.tenantId);
    expect(w.relationships.size).toBe(0);

    await deleteSchool(ctx, school.id);
    await sync(ctx.tenantId);
    expect(w.objects.has(`1:${school.slug}`)).toBe(false);
    const left = await getDb().select().from(customerioSyncState).where(eq(customerioSyncState.tenantId, ctx.tenantId));
    expect(left.filter((r) => r.entity === "object")).toHaveLength(0);
  });

  it("deletes an erased contact's person and keeps nothing of it", async () => {
    const { ctx, workspace, requests } = await setup();
    const pid = ext("erase");
    const c = await createContact(ctx, { external_id: pid, email: `${pid}@example.test` });
    await sync(ctx.tenantId);
    expect(workspace().people.has(pid)).toBe(true);

    await eraseContact(ctx, c.id);
    await sync(ctx.tenantId);
    expect(workspace().people.has(pid)).toBe(false);
    const last = requests().filter((r) => r.path.endsWith("/api/v2/batch")).at(-1)!;
    expect((last.body as { batch: unknown[] }).batch).toEqual([{ type: "person", action: "delete", identifiers: { id: pid } }]);
    const rows = await getDb().select().from(customerioSyncState).where(eq(customerioSyncState.tenantId, ctx.tenantId));
    expect(rows).toHaveLength(0);
  });

  it("sends nothing with both flags off", async () => {
    const { ctx, requests } = await setup({ b2c: false, b2b: false });
    const school = await createSchool(ctx, { name: "Quiet School", city: "Lund", type: "primary" } as never);
    await createContact(ctx, { external_id: ext("q"), schools: [{ school_id: school.id, role: "owner" }] });
    const result = await sync(ctx.tenantId);
    expect(result.claimed).toBe(2);
    expect(result.skipped).toBe(2);
    expect(requests()).toHaveLength(0);
    expect((await getCustomerioConfig(ctx)).counts).toMatchObject({ skipped: 2, pending: 0, synced: 0 });
  });

  it("talks to the EU host for an EU config; a region mismatch is reported by the credential test", async () => {
    const { ctx, workspace, requests } = await setup({ region: "eu" });
    expect(await testCustomerioCredentials(ctx)).toMatchObject({ ok: true, region: "eu" });
    const pid = ext("eu");
    await createContact(ctx, { external_id: pid });
    await sync(ctx.tenantId);
    expect(workspace().people.has(pid)).toBe(true);
    const paths = requests().map((r) => r.path);
    expect(paths.length).toBeGreaterThan(0);
    for (const p of paths) expect(p.startsWith("/track-eu.customer.io/api/")).toBe(true);

    const us = await setup({ region: "us", accountRegion: "eu" });
    const t = await testCustomerioCredentials(us.ctx);
    expect(t.ok).toBe(false);
    expect(t.message).toMatch(/EU region/);
  });

  it("applies the rest of a batch with one refused operation and dead-letters that one with Customer.io's reason; replay sends it", async () => {
    const { ctx, account, workspace, requests } = await setup();
    const good = [ext("g1"), ext("g2"), ext("g3")];
    const bad = ext("bad");
    for (const id of [...good, bad]) await createContact(ctx, { external_id: id });
    const rule = sim.addFailureRule({ mode: "invalid_recipient", provider: "customerio", accountId: account.id, recipient: bad });
    const result = await sync(ctx.tenantId);
    expect(result).toMatchObject({ sent: 3, failed: 1 });
    for (const id of good) expect(workspace().people.has(id)).toBe(true);
    expect(workspace().people.has(bad)).toBe(false);
    // The refused operation was retried alone before it was dead-lettered.
    expect(requests().filter((r) => r.path.endsWith("/api/v2/entity"))).toHaveLength(1);
    const [failed] = await getDb().select().from(customerioSyncState).where(eq(customerioSyncState.status, "failed"));
    expect(failed!.cioId ?? failed!.entityId).toBeTruthy();
    expect(failed!.lastError).toMatch(/not valid/);
    const cfg = await getCustomerioConfig(ctx);
    expect(cfg.counts).toMatchObject({ synced: 3, failed: 1 });
    expect(cfg.last_error).toMatch(new RegExp(`not valid`));

    sim.removeFailureRule(rule.id);
    expect(await replayCustomerioFailures(ctx)).toEqual({ replayed: 1 });
    await sync(ctx.tenantId);
    expect(workspace().people.has(bad)).toBe(true);
    expect((await getCustomerioConfig(ctx)).counts).toMatchObject({ synced: 4, failed: 0 });
  });
});
