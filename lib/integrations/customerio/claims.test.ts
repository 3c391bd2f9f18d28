// Sync-state claims: concurrent claimers take disjoint rows, and a change made while a row is
// being sent leaves it pending for the next pass instead of marking the older state synced.
import { eq } from "drizzle-orm";
import { expect, it } from "vitest";
import { getDb } from "@/db";
import { customerioSyncState, tenants } from "@/db/schema";
import { createContact, updateContact } from "@/lib/contacts/contacts";
import { makeContext } from "@/lib/test/factories";
import { claimCustomerioRows, findCustomerioIntegration, insertCustomerioIntegration, recordCustomerioSynced } from "@/db/queries/customerio";

it("claims disjointly and keeps a row changed during its send pending", async () => {
  const ctx = await makeContext("owner");
  const db = getDb();
  await insertCustomerioIntegration(db, { tenantId: ctx.tenantId, values: { siteIdRef: "env:HERALD_CRED_X", apiKeyRef: "env:HERALD_CRED_Y", status: "active", b2cEnabled: true } });
  const integration = (await findCustomerioIntegration(db, { tenantId: ctx.tenantId }))!;
  const contacts = [];
  for (let i = 0; i < 6; i++) contacts.push(await createContact(ctx, { external_id: `c-${i}` }));

  const [a, b] = await Promise.all([
    claimCustomerioRows(db, { integrationId: integration.id, limit: 3, leaseMs: 60_000 }),
    claimCustomerioRows(db, { integrationId: integration.id, limit: 3, leaseMs: 60_000 }),
  ]);
  const ids = [...a, ...b].map((r) => r.entityId);
  expect(new Set(ids).size).toBe(6);
  expect(await claimCustomerioRows(db, { integrationId: integration.id, limit: 10, leaseMs: 60_000 })).toEqual([]);

  // One contact changes while its claimed version is "in flight".
  const changed = a[0]!;
  await updateContact(ctx, changed.entityId, { name: "newer" });
  await recordCustomerioSynced(db, {
    integrationId: integration.id,
    rows: [...a, ...b].map((r) => ({ entity: r.entity, entityId: r.entityId, claimedVersion: r.claimedVersion, status: "synced" as const, hash: "h", cioId: "x", relations: null, warning: null })),
  });
  const rows = await db.select().from(customerioSyncState).where(eq(customerioSyncState.integrationId, integration.id));
  expect(rows.filter((r) => r.status === "synced")).toHaveLength(5);
  const pending = rows.find((r) => r.status === "pending")!;
  expect(pending.entityId).toBe(changed.entityId);
  expect(pending.version).toBeGreaterThan(pending.syncedVersion);
  const again = await claimCustomerioRows(db, { integrationId: integration.id, limit: 10, leaseMs: 60_000 });
  expect(again.map((r) => r.entityId)).toEqual([changed.entityId]);
});

it("lets a tenant with an active integration and marked contacts be deleted", async () => {
  const ctx = await makeContext("owner");
  const db = getDb();
  await insertCustomerioIntegration(db, { tenantId: ctx.tenantId, values: { siteIdRef: "env:HERALD_CRED_X", apiKeyRef: "env:HERALD_CRED_Y", status: "active", b2cEnabled: true } });
  await createContact(ctx, { external_id: "gone", schools: [] });
  await db.delete(tenants).where(eq(tenants.id, ctx.tenantId));
  expect(await findCustomerioIntegration(db, { tenantId: ctx.tenantId })).toBeUndefined();
  expect(await db.select().from(customerioSyncState).where(eq(customerioSyncState.tenantId, ctx.tenantId))).toEqual([]);
});
