import { InngestTestEngine } from "@inngest/test";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { apiKeys } from "@/db/schema";
import { createApiKey } from "@/lib/auth/api-keys";
import { makeContext } from "@/lib/test/factories";
import { toInngestFunction } from "../bind";
import { recordApiKeyUsage } from "./record-api-key-usage";

afterAll(() => closeDb());

describe("record-api-key-usage on the Inngest binding", () => {
  const fn = toInngestFunction(recordApiKeyUsage);

  it("runs its step and moves last_used_at forward", async () => {
    const ctx = await makeContext("admin");
    const key = await createApiKey(ctx, { name: "inngest", scopes: ["messages:read"] });
    const usedAt = new Date("2026-01-02T03:04:05.000Z");
    const t = new InngestTestEngine({
      function: fn,
      events: [{ name: "herald/api-key.used", data: { tenantId: ctx.tenantId, apiKeyId: key.id, usedAt: usedAt.toISOString() } }],
    });
    const { result, ctx: run } = await t.execute();
    expect(result).toEqual({ updated: true });
    expect(run.step.run).toHaveBeenCalledWith("update-last-used", expect.any(Function));
    const [row] = await getDb().select().from(apiKeys).where(eq(apiKeys.id, key.id));
    expect(row!.lastUsedAt!.toISOString()).toBe(usedAt.toISOString());

    // An older usage event (out of order) does not move it back.
    const older = new InngestTestEngine({
      function: fn,
      events: [{ name: "herald/api-key.used", data: { tenantId: ctx.tenantId, apiKeyId: key.id, usedAt: "2025-01-01T00:00:00.000Z" } }],
    });
    expect((await older.execute()).result).toEqual({ updated: false });
  });

  it("rejects a malformed event instead of writing anything", async () => {
    const t = new InngestTestEngine({
      function: fn,
      events: [{ name: "herald/api-key.used", data: { tenantId: "nope", apiKeyId: "nope", usedAt: "yesterday" } }],
    });
    const { error } = await t.execute();
    expect(error).toBeTruthy();
  });

  it("is configured with the workflow's id, trigger and retries", () => {
    const config = fn["opts"] as { id: string; retries: number; triggers: { event: string }[] };
    expect(config.id).toBe("record-api-key-usage");
    expect(config.retries).toBe(5);
    expect(config.triggers).toEqual([{ event: "herald/api-key.used" }]);
  });
});
