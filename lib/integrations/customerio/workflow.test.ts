// The whole path on the pg-boss engine: a contact write's trigger queues the outbox event, the
// relay hands it to the sync workflow, and the person lands in the simulated workspace.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startSimulator, type Simulator } from "@/e2e/simulator";
import type { CustomerioAccount } from "@/e2e/simulator/providers/customerio";
import { resyncCustomerio } from "@/inngest/functions/resync-customerio";
import { syncCustomerio } from "@/inngest/functions/sync-customerio";
import { createContact, updateContact } from "@/lib/contacts/contacts";
import { startJobEngine, stopJobEngine } from "@/lib/jobs/job-engine";
import { makeContext, waitFor } from "@/lib/test/factories";
import { customerioConfigInput } from "@/lib/validations/customerio";
import { getCustomerioConfig, saveCustomerioConfig, setCustomerioStatus, startCustomerioResync } from "./integration";

let sim: Simulator;
const previousAllow = process.env.HERALD_PROVIDER_URL_ALLOW_HOSTS;
beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  process.env.HERALD_PROVIDER_URL_ALLOW_HOSTS = "127.0.0.1";
  await startJobEngine({ workflows: [syncCustomerio, resyncCustomerio], runWorkers: true });
});
afterAll(async () => {
  await stopJobEngine();
  process.env.HERALD_PROVIDER_URL_ALLOW_HOSTS = previousAllow;
  await sim?.close();
});

it("syncs a burst of contact edits through the outbox and the workflow as one identify", async () => {
  const ctx = await makeContext("owner");
  const account = sim.createAccount({ provider: "customerio" }) as CustomerioAccount;
  await saveCustomerioConfig(ctx, customerioConfigInput.parse({ site_id: account.siteId, api_key: account.apiKey, api_base_url: sim.url, b2c_enabled: true }));
  await setCustomerioStatus(ctx, "active");
  // The activation queues a run of its own; let it finish so the burst below is all the debounce sees.
  await waitFor(async () => (await getCustomerioConfig(ctx)).last_synced_at !== null, 10_000);
  const pid = `wf-${randomBytes(3).toString("hex")}`;
  const c = await createContact(ctx, { external_id: pid, name: "first" });
  for (const name of ["second", "third", "last"]) await updateContact(ctx, c.id, { name });

  const person = await waitFor(async () => {
    const p = sim.state.customerio.workspace(account.id).people.get(pid);
    return p?.name === "last" ? p : undefined;
  }, 12_000);
  expect(person).toMatchObject({ id: pid, name: "last" });
  // The 1 s debounce gathered the burst: one batch with one operation.
  const batches = sim.listRequests({ accountId: account.id }).filter((r) => r.path.endsWith("/api/v2/batch"));
  expect(batches).toHaveLength(1);
  expect((batches[0]!.body as { batch: unknown[] }).batch).toHaveLength(1);
});

it("resyncs what existed before activation in the background, with progress", async () => {
  const ctx = await makeContext("owner");
  const account = sim.createAccount({ provider: "customerio" }) as CustomerioAccount;
  await saveCustomerioConfig(ctx, customerioConfigInput.parse({ site_id: account.siteId, api_key: account.apiKey, api_base_url: sim.url, b2c_enabled: true }));
  // Written while the integration is a draft: nothing is marked.
  const ids = Array.from({ length: 5 }, (_, i) => `pre-${i}-${randomBytes(3).toString("hex")}`);
  for (const id of ids) await createContact(ctx, { external_id: id });
  await setCustomerioStatus(ctx, "active");
  await startCustomerioResync(ctx, { b2c: true, b2b: false });
  await waitFor(async () => ids.every((id) => sim.state.customerio.workspace(account.id).people.has(id)), 12_000);
  const cfg = await waitFor(async () => {
    const c = await getCustomerioConfig(ctx);
    return c.resync?.done === 5 ? c : undefined;
  }, 5_000);
  expect(cfg.resync).toMatchObject({ total: 5, done: 5 });
  expect(cfg.counts).toMatchObject({ synced: 5, pending: 0 });
});
