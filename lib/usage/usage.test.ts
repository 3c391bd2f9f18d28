// Usage reads are exact at any moment (rollups plus unfolded increments) and never add currencies together.
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { appendUsage, foldUsageDeltas, type UsageDelta } from "@/db/queries/usage";
import { makeContext } from "@/lib/test/factories";
import { makeConfig } from "@/lib/test/provider-configs";
import { getUsage } from "./usage";

afterAll(async () => {
  await closeDb();
});

const HOUR = 3_600_000;

async function setup() {
  const ctx = await makeContext("admin");
  const config = await makeConfig(ctx, "elks");
  const at = new Date(Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR + 60_000);
  const delta = (over: Partial<UsageDelta> = {}): UsageDelta => ({ tenantId: ctx.tenantId, configId: config.id, provider: "elks", channel: "sms", at, sent: 1, ...over });
  const read = () => getUsage(ctx, { from: new Date(at.getTime() - HOUR), to: new Date(Date.now() + HOUR), granularity: "hour", config_id: config.id });
  const readTenant = () => getUsage(ctx, { from: new Date(at.getTime() - HOUR), to: new Date(Date.now() + HOUR), granularity: "hour" });
  return { ctx, config, delta, read, readTenant };
}

describe("usage reads", () => {
  it("count increments the background fold holds locked (no SKIP LOCKED miss)", async () => {
    const { delta, read, readTenant } = await setup();
    await appendUsage(getDb(), Array.from({ length: 40 }, () => delta()));
    await foldUsageDeltas(getDb());
    await appendUsage(getDb(), Array.from({ length: 10 }, () => delta()));
    // A fold in progress: it has claimed the unfolded rows and not committed yet.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const folder = getDb().transaction(async (tx) => {
      await tx.execute("select id from usage_deltas for update");
      locked();
      await held;
    });
    await isLocked;
    try {
      expect((await read()).totals.sent).toBe(50);
      expect((await readTenant()).totals.sent).toBe(50);
    } finally {
      release();
      await folder;
    }
  });

  it("are exact past 20,000 unfolded increments and while folds run concurrently", async () => {
    const { delta, read } = await setup();
    const rows = Array.from({ length: 25_000 }, (_, i) => delta({ delivered: i % 2 }));
    for (let i = 0; i < rows.length; i += 5000) await appendUsage(getDb(), rows.slice(i, i + 5000));
    expect((await read()).totals).toMatchObject({ sent: 25_000, delivered: 12_500 });
    // Folds in small pieces beside the reads: every read sees each increment exactly once.
    let folding = true;
    const folds = (async () => {
      while (folding && (await foldUsageDeltas(getDb(), { limit: 3000 })) > 0);
    })();
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) seen.push((await read()).totals.sent);
    folding = false;
    await folds;
    seen.push((await read()).totals.sent);
    expect(seen.every((n) => n === 25_000)).toBe(true);
  }, 60_000);

  it("keep cost sums per currency, folded or not", async () => {
    const { delta, read } = await setup();
    await appendUsage(getDb(), [delta({ cost: 0.5, costCurrency: "SEK" }), delta({ cost: 0.25, costCurrency: "EUR" }), delta({ cost: 1, costCurrency: "SEK" })]);
    const expected = [
      { currency: "EUR", amount: 0.25 },
      { currency: "SEK", amount: 1.5 },
    ];
    expect((await read()).totals.cost).toEqual(expected);
    await foldUsageDeltas(getDb());
    await appendUsage(getDb(), [delta({ cost: 2, costCurrency: "EUR" })]);
    expect((await read()).totals.cost).toEqual([
      { currency: "EUR", amount: 2.25 },
      { currency: "SEK", amount: 1.5 },
    ]);
    await foldUsageDeltas(getDb());
    expect((await read()).totals.cost).toEqual([
      { currency: "EUR", amount: 2.25 },
      { currency: "SEK", amount: 1.5 },
    ]);
  });
});
