// Queries that identify a row by id also take its tenant: another tenant's id changes nothing.
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { createApiKey } from "@/lib/auth/api-keys";
import { makeContext } from "@/lib/test/factories";
import { apiKeys, callEventLogs } from "../schema";
import { markApiKeyUsed } from "./api-keys";
import { deadLetterQueuedCallEvents } from "./telephony";

afterAll(async () => {
  await closeDb();
});

describe("tenant-scoped writes by id", () => {
  it("call event publish state and API key usage: the wrong tenant's id is a no-op, the right one writes", async () => {
    const owner = await makeContext("owner");
    const stranger = await makeContext("owner");
    const [log] = await getDb()
      .insert(callEventLogs)
      .values({ tenantId: owner.tenantId, callId: "c-1", eventType: "call_started", fromNumber: "+46700000001", toNumber: "+46700000002", occurredAt: new Date(), payload: {} })
      .returning();
    expect(await deadLetterQueuedCallEvents(getDb(), { tenantId: stranger.tenantId, callId: "c-1", error: "x" })).toHaveLength(0);
    expect((await getDb().select().from(callEventLogs).where(eq(callEventLogs.id, log!.id)))[0]!.publishStatus).toBe("queued");
    expect(await deadLetterQueuedCallEvents(getDb(), { tenantId: owner.tenantId, callId: "c-1", error: "x" })).toHaveLength(1);
    expect((await getDb().select().from(callEventLogs).where(eq(callEventLogs.id, log!.id)))[0]!.publishStatus).toBe("dead_lettered");

    const key = await createApiKey(owner, { name: "k", scopes: ["messages:send"] });
    expect(await markApiKeyUsed(getDb(), { tenantId: stranger.tenantId, id: key.id, usedAt: new Date() })).toBe(false);
    expect((await getDb().select().from(apiKeys).where(eq(apiKeys.id, key.id)))[0]!.lastUsedAt).toBeNull();
    expect(await markApiKeyUsed(getDb(), { tenantId: owner.tenantId, id: key.id, usedAt: new Date() })).toBe(true);
  });
});
