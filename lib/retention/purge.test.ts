import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { workflows } from "@/inngest/workflows";
import { emitEvent } from "@/lib/jobs/emit";
import { startJobEngine, stopJobEngine } from "@/lib/jobs/job-engine";
import { makeContext, waitFor } from "@/lib/test/factories";
import { retentionPolicy } from "./policy";
import { purgeExpired } from "./purge";
import { startRetentionSchedule } from "./schedule";
import { getTenantRetention, setTenantMessageAuditDays } from "./tenant-retention";

const db = () => getDb();
const ago = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
const count = async (q: ReturnType<typeof sql>) => Number(((await db().execute(q)) as unknown as { n: number }[])[0]!.n);

async function message(tenantId: string, createdDaysAgo: number) {
  const id = randomUUID();
  await db().execute(sql`
    insert into messages (id, tenant_id, channel, recipient, payload, trace_id, provider_reference, status, created_at)
    values (${id}, ${tenantId}, 'email', 'a@example.com', '{}'::jsonb, ${id}, ${id}, 'sent', ${ago(createdDaysAgo)}::timestamptz)`);
  await db().execute(sql`
    insert into message_attempts (message_id, tenant_id, attempt_no, provider, outcome, started_at)
    values (${id}, ${tenantId}, 1, 'sendgrid', 'sent', ${ago(createdDaysAgo)}::timestamptz)`);
  await db().execute(sql`
    insert into message_status_history (message_id, tenant_id, to_status, at) values (${id}, ${tenantId}, 'sent', ${ago(createdDaysAgo)}::timestamptz)`);
  return id;
}

describe("retention purge", () => {
  it("deletes finished rows past their period in batches, keeps live work and fresh rows, honours a tenant's audit period", async () => {
    const a = await makeContext("admin");
    const b = await makeContext("admin");
    await setTenantMessageAuditDays(b, 400);
    expect(await getTenantRetention(b)).toEqual({ message_audit_days: 400, source: "tenant" });
    expect(await getTenantRetention(a)).toMatchObject({ source: "default" });

    const tag = randomUUID();
    // outbox: 25 relayed and old, 1 old but never relayed (still work to do), 1 fresh.
    await db().execute(sql`
      insert into outbox_events (tenant_id, name, payload, created_at, dispatched_at)
      select ${a.tenantId}, 'herald/test', jsonb_build_object('tag', ${tag}::text), ${ago(30)}::timestamptz, ${ago(30)}::timestamptz from generate_series(1, 25)`);
    await db().execute(sql`insert into outbox_events (tenant_id, name, payload, created_at) values (${a.tenantId}, 'herald/test', jsonb_build_object('tag', ${tag}::text), ${ago(30)}::timestamptz)`);
    await db().execute(sql`insert into outbox_events (tenant_id, name, payload, dispatched_at) values (${a.tenantId}, 'herald/test', jsonb_build_object('tag', ${tag}::text), now())`);
    await db().execute(sql`
      insert into job_steps (run_id, step_id, output, created_at)
      select ${tag} || '-old', 's' || g, 'null'::jsonb, ${ago(30)}::timestamptz from generate_series(1, 7) g
      union all select ${tag} || '-new', 's1', 'null'::jsonb, now()`);
    const oldA = await message(a.tenantId, 200);
    const newA = await message(a.tenantId, 1);
    const oldB = await message(b.tenantId, 200);

    const policy = { ...retentionPolicy({} as NodeJS.ProcessEnv), batch: 10, pauseMs: 1 };
    expect(await purgeExpired({ kind: "outbox", budgetMs: 10_000, policy })).toMatchObject({ more: false });
    expect(await purgeExpired({ kind: "job_steps", budgetMs: 10_000, policy })).toMatchObject({ more: false });
    expect(await purgeExpired({ kind: "message_audit", budgetMs: 10_000, policy })).toMatchObject({ more: false });

    expect(await count(sql`select count(*)::int as n from outbox_events where payload->>'tag' = ${tag}`)).toBe(2);
    expect(await count(sql`select count(*)::int as n from outbox_events where payload->>'tag' = ${tag} and dispatched_at is null`)).toBe(1);
    expect(await count(sql`select count(*)::int as n from job_steps where run_id like ${tag + "%"}`)).toBe(1);
    const audit = async (id: string) => count(sql`select (select count(*) from message_attempts where message_id = ${id}) + (select count(*) from message_status_history where message_id = ${id}) as n`);
    expect(await audit(oldA)).toBe(0);
    expect(await audit(newA)).toBe(2);
    // Tenant b keeps 400 days: its 200-day-old audit stays.
    expect(await audit(oldB)).toBe(2);
    // The message row itself stays.
    expect(await count(sql`select count(*)::int as n from messages where id = ${oldA}`)).toBe(1);

    // A budget used up mid-way says so, and the next step carries on.
    await db().execute(sql`
      insert into job_steps (run_id, step_id, output, created_at)
      select ${tag} || '-more', 's' || g, 'null'::jsonb, ${ago(30)}::timestamptz from generate_series(1, 35) g`);
    const partial = await purgeExpired({ kind: "job_steps", budgetMs: 0, policy });
    expect(partial).toEqual({ deleted: 10, more: true });
    expect((await purgeExpired({ kind: "job_steps", budgetMs: 10_000, policy })).more).toBe(false);
    expect(await count(sql`select count(*)::int as n from job_steps where run_id = ${tag + "-more"}`)).toBe(0);
  });

  it("purges processed provider webhooks and finished outbound deliveries, never live ones", async () => {
    const ctx = await makeContext("admin");
    const t = ctx.tenantId;
    const tag = randomUUID();
    for (const [status, daysAgo] of [["processed", 40], ["pending", 40], ["processed", 1]] as const) {
      await db().execute(sql`
        insert into webhook_events (tenant_id, provider, event_key, event_type, provider_event, verification, status, occurred_at, received_at, payload)
        values (${t}, 'sendgrid', ${randomUUID()}, 'delivered', 'delivered', 'ecdsa_p256', ${status}, ${ago(daysAgo)}::timestamptz, ${ago(daysAgo)}::timestamptz, jsonb_build_object('tag', ${tag}::text))`);
    }
    const [endpoint] = (await db().execute(sql`
      insert into webhook_endpoints (tenant_id, url, event_types, secret_ref) values (${t}, 'https://example.com/hook', array['communication.sent.v1'], 'secret:none')
      returning id`)) as unknown as { id: string }[];
    for (const [status, daysAgo] of [["succeeded", 40], ["exhausted", 40], ["failed", 40], ["succeeded", 1]] as const) {
      const [d] = (await db().execute(sql`
        insert into webhook_deliveries (tenant_id, endpoint_id, event_id, event_type, payload, status, created_at, updated_at)
        values (${t}, ${endpoint!.id}, ${randomUUID()}, 'communication.sent.v1', '{}'::jsonb, ${status}, ${ago(daysAgo)}::timestamptz, ${ago(daysAgo)}::timestamptz)
        returning id`)) as unknown as { id: string }[];
      await db().execute(sql`
        insert into webhook_delivery_attempts (tenant_id, delivery_id, endpoint_id, attempt_number, url, outcome, started_at, finished_at)
        values (${t}, ${d!.id}, ${endpoint!.id}, 1, 'https://example.com/hook', 'failed', now(), now())`);
    }
    const policy = { ...retentionPolicy({} as NodeJS.ProcessEnv), batch: 10, pauseMs: 1 };
    await purgeExpired({ kind: "webhook_events", budgetMs: 10_000, policy });
    await purgeExpired({ kind: "webhook_deliveries", budgetMs: 10_000, policy });
    const left = (await db().execute(sql`select status from webhook_events where payload->>'tag' = ${tag} order by status`)) as unknown as { status: string }[];
    expect(left.map((r) => r.status)).toEqual(["pending", "processed"]);
    const deliveries = (await db().execute(sql`select status from webhook_deliveries where endpoint_id = ${endpoint!.id} order by status`)) as unknown as { status: string }[];
    // The failed one is still on its retry schedule; the fresh success is inside its period.
    expect(deliveries.map((r) => r.status)).toEqual(["failed", "succeeded"]);
    expect(await count(sql`select count(*)::int as n from webhook_delivery_attempts where endpoint_id = ${endpoint!.id}`)).toBe(2);
  });

  it("runs as the purge-expired-data workflow on the job engine", async () => {
    const tag = randomUUID();
    await db().execute(sql`
      insert into job_steps (run_id, step_id, output, created_at)
      select ${tag}, 's' || g, 'null'::jsonb, ${ago(30)}::timestamptz from generate_series(1, 5) g`);
    await startJobEngine({ workflows, runWorkers: true });
    try {
      await emitEvent("herald/retention.due", { slot: `test-${tag}` }, { id: randomUUID() });
      await waitFor(async () => (await count(sql`select count(*)::int as n from job_steps where run_id = ${tag}`)) === 0, 30_000, 200);
    } finally {
      await stopJobEngine();
    }
  }, 60_000);

  it("schedules one run per slot however many processes emit it", async () => {
    const policy = { ...retentionPolicy({} as NodeJS.ProcessEnv), intervalMs: 3_600_000 };
    const slot = String(Math.floor(Date.now() / policy.intervalMs));
    const first = startRetentionSchedule(policy);
    const second = startRetentionSchedule(policy);
    await new Promise((r) => setTimeout(r, 500));
    first.stop();
    second.stop();
    expect(await count(sql`select count(*)::int as n from outbox_events where name = 'herald/retention.due' and payload->>'slot' = ${slot}`)).toBe(1);
  });
});
