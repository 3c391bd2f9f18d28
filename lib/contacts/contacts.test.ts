import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { contacts, tenants } from "@/db/schema";
import { makeContext } from "@/lib/test/factories";
import type { TenantContext } from "@/lib/tenancy/context";
import { createContact, getContact, listContacts, updateContact, upsertContactByExternalId } from "./contacts";
import { getContactSubscriptions, setContactSubscription, subscriptionBlocks } from "./subscriptions";

let ctx: TenantContext;
let other: TenantContext;

beforeAll(async () => {
  ctx = await makeContext("owner");
  other = await makeContext("owner");
  await getDb().update(tenants).set({ defaultCountry: "SE" }).where(eq(tenants.id, ctx.tenantId));
});
afterAll(closeDb);

describe("contacts", () => {
  it("normalises national numbers with the tenant's country, keeps the original, and validates locale and zone", async () => {
    const c = await createContact(ctx, { name: "Anna Lind", email: "anna@example.test", phone: "070-123 45 67", locale: "sv-SE", timezone: "Europe/Stockholm", attributes: { team: "u12", age: 11 } });
    expect(c).toMatchObject({ phone: "+46701234567", phone_raw: "070-123 45 67", whatsapp: "+46701234567", locale: "sv-SE", timezone: "Europe/Stockholm", kind: "person" });
    await expect(createContact(other, { phone: "070-123 45 67" })).rejects.toMatchObject({ status: 422, details: [{ path: "phone" }] });
    await expect(getContact(other, c.id)).rejects.toMatchObject({ status: 404 });
    const patched = await updateContact(ctx, c.id, { whatsapp: "+46 70 999 99 99", name: null });
    expect(patched).toMatchObject({ whatsapp: "+46709999999", phone: "+46701234567", name: null, email: "anna@example.test" });
  });

  it("upserts by external id: one row under concurrent PUTs, omitted fields kept", async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => upsertContactByExternalId(ctx, "ext-42", { name: `Name ${i}`, email: "p42@example.test" })));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const rows = await getDb().select().from(contacts).where(eq(contacts.externalId, "ext-42"));
    expect(rows).toHaveLength(1);
    const again = await upsertContactByExternalId(ctx, "ext-42", { phone: "+46701112233" });
    expect(again).toMatchObject({ created: false, contact: { email: "p42@example.test", phone: "+46701112233" } });
  });

  it("searches by substring and attribute, newest first with a cursor", async () => {
    const a = await createContact(ctx, { name: "Zeynep Kaya", email: "zeynep@example.test", attributes: { team: "u14" } });
    await createContact(ctx, { name: "Zeynep Arslan", attributes: { team: "u12" } });
    const byName = await listContacts(ctx, { q: "ZEYNEP", limit: 1 });
    expect(byName.data).toHaveLength(1);
    const next = await listContacts(ctx, { q: "zeynep", limit: 1, cursor: byName.next_cursor! });
    expect(next.data).toHaveLength(1);
    expect(next.data[0]!.id).not.toBe(byName.data[0]!.id);
    expect((await listContacts(ctx, { q: "zeynep", attribute: "team:u14", limit: 10 })).data.map((c) => c.id)).toEqual([a.id]);
    expect((await listContacts(ctx, { attribute: "age:11", limit: 10 })).data).toHaveLength(1);
    expect((await listContacts(other, { q: "zeynep", limit: 10 })).data).toHaveLength(0);
  });

  it("keeps subscription state per channel and topic; a channel-wide unsubscribe covers every topic", async () => {
    const c = await createContact(ctx, { email: "subs@example.test" });
    await setContactSubscription({ tenantId: ctx.tenantId, contactId: c.id, channel: "email", topic: "marketing", status: "unsubscribed", source: "one_click" });
    expect((await subscriptionBlocks(ctx.tenantId, [c.id], "email", "marketing")).get(c.id)).toMatchObject({ topic: "marketing", source: "one_click" });
    expect((await subscriptionBlocks(ctx.tenantId, [c.id], "email", "reminders")).size).toBe(0);
    expect((await subscriptionBlocks(ctx.tenantId, [c.id], "email")).size).toBe(0);
    await setContactSubscription({ tenantId: ctx.tenantId, contactId: c.id, channel: "email", status: "unsubscribed", source: "api" }, { ctx });
    expect((await subscriptionBlocks(ctx.tenantId, [c.id], "email", "reminders")).get(c.id)).toMatchObject({ topic: null, source: "api" });
    expect(await getContactSubscriptions({ tenantId: ctx.tenantId, contactId: c.id })).toHaveLength(2);
    await expect(setContactSubscription({ tenantId: other.tenantId, contactId: c.id, channel: "sms", status: "unsubscribed", source: "api" })).rejects.toMatchObject({ status: 404 });
  });
});
