// Customer.io sync under failure (429, outage, spent retry budget), end to end: Herald's services write contacts and schools (the change triggers
// mark them), the sync run sends them over real HTTP to the simulator, and the tests assert the
// simulated workspace's final state.
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { customerioSyncState } from "@/db/schema";
import { startSimulator, type Simulator } from "@/e2e/simulator";
import type { CustomerioAccount } from "@/e2e/simulator/providers/customerio";
import { setAlertSink, type Alert } from "@/lib/alerts/raise-alert";
import { createContact } from "@/lib/contacts/contacts";
import { makeContext } from "@/lib/test/factories";
import { customerioConfigInput } from "@/lib/validations/customerio";
import { getCustomerioConfig, saveCustomerioConfig, setCustomerioStatus } from "./integration";
import { runCustomerioSync } from "./sync";

let sim: Simulator;
const previousAllow = process.env.HERALD_PROVIDER_URL_ALLOW_HOSTS;
const fast = { backoffBaseMs: 50, backoffMaxMs: 400, inRunRetries: 1, runBudgetMs: 10_000 };

const alerts: Alert[] = [];
beforeAll(async () => {
  setAlertSink((a) => alerts.push(a));
  sim = await startSimulator({ port: 0 });
  process.env.HERALD_PROVIDER_URL_ALLOW_HOSTS = "127.0.0.1";
});
afterAll(async () => {
  setAlertSink(undefined);
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
const ext = (p: string) => `${p}-${randomBytes(3).toString("hex")}`;

describe("Customer.io sync under failure", () => {
  it("waits out a 429's Retry-After and loses nothing through an outage", async () => {
    const { ctx, account, workspace } = await setup();
    const ids = Array.from({ length: 6 }, (_, i) => ext(`o${i}`));
    for (const id of ids.slice(0, 2)) await createContact(ctx, { external_id: id });
    sim.addFailureRule({ mode: "rate_limit", provider: "customerio", accountId: account.id, count: 1, retryAfterSeconds: 1 });
    const started = Date.now();
    expect(await sync(ctx.tenantId)).toMatchObject({ sent: 2 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);

    // Outage: every call answers 503 for two seconds while edits keep coming.
    const outage = sim.addFailureRule({ mode: "server_error", status: 503, provider: "customerio", accountId: account.id });
    const end = Date.now() + 2000;
    for (const id of ids.slice(2)) await createContact(ctx, { external_id: id });
    let runs = 0;
    while (Date.now() < end) {
      runs += 1;
      await sync(ctx.tenantId);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(runs).toBeGreaterThan(1);
    const during = await getCustomerioConfig(ctx);
    expect(during.counts.pending).toBe(4);
    expect(during.last_error).toMatch(/503/);
    sim.removeFailureRule(outage.id);

    for (let i = 0; i < 20 && (await getCustomerioConfig(ctx)).counts.pending > 0; i++) {
      await sync(ctx.tenantId);
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const id of ids) expect(workspace().people.has(id)).toBe(true);
    expect((await getCustomerioConfig(ctx)).counts).toMatchObject({ synced: 6, pending: 0, failed: 0 });
  });

  it("dead-letters an entity once its retry budget is spent, with the last error", async () => {
    const { ctx, account } = await setup();
    await createContact(ctx, { external_id: ext("budget") });
    sim.addFailureRule({ mode: "server_error", status: 502, provider: "customerio", accountId: account.id });
    for (let i = 0; i < 3; i++) {
      await sync(ctx.tenantId, { maxAttempts: 2, inRunRetries: 0, backoffBaseMs: 1, backoffMaxMs: 1 });
      await new Promise((r) => setTimeout(r, 20));
    }
    const [row] = await getDb().select().from(customerioSyncState).where(eq(customerioSyncState.tenantId, ctx.tenantId));
    expect(row).toMatchObject({ status: "failed", attempts: 2 });
    expect(row!.lastError).toMatch(/502/);
    sim.clearFailureRules();
  });

  it("stops on a refused API key, puts the integration in error with nothing lost, and resumes once reactivated", async () => {
    const { ctx, account, workspace } = await setup();
    const pid = ext("auth");
    await createContact(ctx, { external_id: pid });
    const rule = sim.addFailureRule({ mode: "auth_error", provider: "customerio", accountId: account.id });
    alerts.length = 0;
    expect(await sync(ctx.tenantId)).toMatchObject({ stopped: "auth", sent: 0 });
    // The tenant's admins hear of it (Slack and their own alert webhook), once.
    expect(alerts.filter((a) => a.kind === "integration_failed" && a.tenantId === ctx.tenantId)).toHaveLength(1);
    const broken = await getCustomerioConfig(ctx);
    expect(broken).toMatchObject({ status: "error", counts: { pending: 1, failed: 0 } });
    expect(broken.last_error).toMatch(/refused the site id and API key/);
    expect(await sync(ctx.tenantId)).toMatchObject({ stopped: "integration not active" });
    // Edits while in error are kept for when the key works again.
    const later = ext("later");
    await createContact(ctx, { external_id: later });

    sim.removeFailureRule(rule.id);
    await setCustomerioStatus(ctx, "active");
    expect(await sync(ctx.tenantId)).toMatchObject({ sent: 2 });
    expect(workspace().people.has(pid) && workspace().people.has(later)).toBe(true);
  });
});
