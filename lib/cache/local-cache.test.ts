// Cross-process invalidation: two buses, each with its own LISTEN connection, stand for two
// processes; the rows change through Herald's own services or plain SQL, as any process would.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { transitionBreaker } from "@/db/queries/circuit-breakers";
import { appendUsage, foldUsageDeltas } from "@/db/queries/usage";
import { setTenantLimits, tenantLimitsFor } from "@/lib/messaging/fair-share";
import { otpPolicyFor, setOtpPolicy } from "@/lib/otp/policy";
import { transitionConfig } from "@/lib/providers/config-lifecycle";
import { findConfigRecord, type ProviderConfigRecord } from "@/lib/providers/config-record";
import { rotateSecret } from "@/lib/secrets/store";
import { makeContext, waitFor } from "@/lib/test/factories";
import { makeConfig } from "@/lib/test/provider-configs";
import { InvalidationBus, processBus } from "./invalidation";
import { LocalCache } from "./local-cache";

const url = () => process.env.DATABASE_URL;
const busA = new InvalidationBus({ url, heartbeatMs: 500 });
const busB = new InvalidationBus({ url, heartbeatMs: 500 });

beforeAll(async () => {
  busA.ensureStarted();
  busB.ensureStarted();
  processBus().ensureStarted();
  await waitFor(async () => busA.state.listening && busB.state.listening && processBus().state.listening, 20_000);
});

afterAll(async () => {
  await busA.stop();
  await busB.stop();
});

/** How long until `gone()` holds, failing past a second. */
async function propagation(gone: () => boolean): Promise<number> {
  const started = performance.now();
  await waitFor(async () => gone(), 1_000, 5);
  return performance.now() - started;
}

describe("cache invalidation across processes", () => {
  it("drops a config and its decrypted credentials everywhere within a second of a change", async () => {
    const ctx = await makeContext("admin");
    const created = await makeConfig(ctx, "sendgrid");
    const record = (await findConfigRecord(ctx.tenantId, created.id))!;
    const secretId = Object.values(record.credentials)[0]!.slice("secret:".length);
    const inB = new LocalCache<ProviderConfigRecord>({ max: 10, ttlMs: 60_000, unheardTtlMs: 1_000, bus: busB });
    const load = () => inB.getOrLoad(created.id, async () => (await findConfigRecord(ctx.tenantId, created.id))!, () => [`provider_configs:${created.id}`, `secrets:${secretId}`]);

    await load();
    await transitionConfig(ctx, created.id, "paused");
    const pausedMs = await propagation(() => inB.get(created.id) === undefined);
    expect((await load()).status).toBe("paused");

    await rotateSecret(getDb(), { tenantId: ctx.tenantId, ref: `secret:${secretId}`, value: "SG.rotated-key", rotatedBy: null });
    const rotatedMs = await propagation(() => inB.get(created.id) === undefined);
    console.log(`config pause heard after ${pausedMs.toFixed(0)} ms, secret rotation after ${rotatedMs.toFixed(0)} ms`);
  });

  it("stays quiet when only the usage counters of a config move (the fold runs every second)", async () => {
    const ctx = await makeContext("admin");
    const created = await makeConfig(ctx, "elks");
    const inB = new LocalCache<string>({ max: 10, ttlMs: 60_000, unheardTtlMs: 1_000, bus: busB });
    inB.set(created.id, "cached", [`provider_configs:${created.id}`]);
    const heard = busB.state.notifications;
    await appendUsage(getDb(), [{ tenantId: ctx.tenantId, configId: created.id, provider: "elks", channel: "sms", at: new Date(), sent: 1 }]);
    await waitFor(async () => (await foldUsageDeltas(getDb())) > 0 || undefined);
    // A change of the row's own fields after it is heard; the fold before it was not.
    await transitionConfig(ctx, created.id, "paused");
    await propagation(() => inB.get(created.id) === undefined);
    expect(busB.state.notifications - heard).toBe(1);
  });

  it("drops breaker state, tenant limits and OTP policies when they change", async () => {
    const ctx = await makeContext("admin");
    const created = await makeConfig(ctx, "twilio");
    const inB = new LocalCache<string>({ max: 10, ttlMs: 60_000, unheardTtlMs: 1_000, bus: busB });
    const tags = [`provider_config_health:${created.id}`, `tenant_limits:${ctx.tenantId}`, `otp_policies:${ctx.tenantId}`];
    tags.forEach((t) => inB.set(t, "cached", [t]));

    await getDb().execute(sql`insert into provider_config_health (config_id, tenant_id) values (${created.id}, ${ctx.tenantId})`);
    await transitionBreaker(getDb(), { tenantId: ctx.tenantId, configId: created.id, from: ["closed"], to: "open", set: { openUntil: new Date(Date.now() + 30_000) }, event: { reason: "test" } });
    await setTenantLimits(ctx, { sendsPerSecond: 5, maxConcurrentDeliveries: null });
    await setOtpPolicy(ctx, { daily_spend_cap: 7 });
    for (const t of tags) await propagation(() => inB.get(t) === undefined);
  });

  it("reaches this process's own caches when another process writes the row (plain SQL here)", async () => {
    const ctx = await makeContext("admin");
    expect((await otpPolicyFor(ctx.tenantId)).dailySpendCap).toBe(100);
    expect((await tenantLimitsFor(ctx.tenantId)).sendsPerSecond).toBeNull();
    await getDb().execute(sql`insert into otp_policies (tenant_id, daily_spend_cap) values (${ctx.tenantId}, 3)`);
    await getDb().execute(sql`insert into tenant_limits (tenant_id, sends_per_second) values (${ctx.tenantId}, 9)`);
    await waitFor(async () => (await otpPolicyFor(ctx.tenantId)).dailySpendCap === 3, 1_000, 5);
    await waitFor(async () => (await tenantLimitsFor(ctx.tenantId)).sendsPerSecond === 9, 1_000, 5);
  });

  it("does not cache a load that an invalidation overtook", async () => {
    const inB = new LocalCache<string>({ max: 10, ttlMs: 60_000, unheardTtlMs: 1_000, bus: busB });
    let release!: () => void;
    const loading = inB.refresh("k", () => new Promise<string>((r) => (release = () => r("read before the change"))), () => ["t:k"]);
    busB.deliver("t:other");
    release();
    expect(await loading).toBe("read before the change");
    expect(inB.get("k")).toBeUndefined();
  });

  it("keeps entries a second only while deaf, and forgets everything when it listens again", async () => {
    let now = 1_000_000;
    const bus = new InvalidationBus({ url, heartbeatMs: 200 });
    bus.ensureStarted();
    await waitFor(async () => bus.state.listening, 20_000);
    const cache = new LocalCache<string>({ max: 10, ttlMs: 60_000, unheardTtlMs: 1_000, bus, now: () => now });
    cache.set("a", "x", ["t:a"]);
    now += 5_000;
    expect(cache.get("a")).toBe("x");

    // Cut every listening connection of this database, as a network failure would.
    await getDb().execute(sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'herald-listen' and datname = current_database()`);
    await waitFor(async () => !bus.state.listening, 10_000, 5);
    expect(cache.get("a")).toBeUndefined();
    cache.set("b", "y", ["t:b"]);
    now += 500;
    expect(cache.get("b")).toBe("y");
    now += 600;
    expect(cache.get("b")).toBeUndefined();
    cache.set("c", "z", ["t:c"]);
    await waitFor(async () => bus.state.listening, 20_000);
    expect(cache.get("c")).toBeUndefined();
    await bus.stop();
  });

  it("keeps at most `max` entries, oldest first", () => {
    const cache = new LocalCache<number>({ max: 3, ttlMs: 60_000, unheardTtlMs: 60_000, bus: busB });
    for (let i = 0; i < 10; i++) cache.set(`k${i}`, i, [`t:${i % 2}`]);
    expect(cache.size).toBe(3);
    expect(cache.get("k6")).toBeUndefined();
    expect(cache.get("k9")).toBe(9);
    cache.invalidate("t:1");
    expect(cache.size).toBe(1);
    expect(cache.get("k8")).toBe(8);
  });
});
