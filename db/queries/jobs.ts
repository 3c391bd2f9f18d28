import { and, asc, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { jobDeadLetters, jobSteps, outboxEvents } from "../schema";

export async function insertOutboxEvents(
  db: DbOrTx,
  rows: { id?: string; tenantId?: string | null; name: string; payload: Record<string, unknown>; startAfter?: Date | null }[],
) {
  if (rows.length === 0) return;
  // No NOTIFY here: Postgres serialises every committing transaction that notified on one
  // global lock, which capped ingest; the relay polls a partial index instead.
  // One statement from a JSON array: building a 1,000-row insert through the query builder
  // cost more than running it.
  const json = JSON.stringify(
    rows.map((r) => ({ id: r.id ?? null, tenant_id: r.tenantId ?? null, name: r.name, payload: r.payload, start_after: r.startAfter?.toISOString() ?? null })),
  );
  await db.execute(sql`
    insert into outbox_events (id, tenant_id, name, payload, start_after)
    select coalesce(x.id, gen_random_uuid()), x.tenant_id, x.name, x.payload, x.start_after
    from jsonb_to_recordset(${json}::jsonb) as x(id uuid, tenant_id uuid, name text, payload jsonb, start_after timestamptz)
    on conflict (id) do nothing`);
}

/** Claims a batch of undispatched rows; SKIP LOCKED lets several relays share the outbox. */
export async function claimOutboxBatch(db: DbOrTx, { limit }: { limit: number }) {
  return db
    .select()
    .from(outboxEvents)
    .where(isNull(outboxEvents.dispatchedAt))
    .orderBy(asc(outboxEvents.createdAt))
    .limit(limit)
    .for("update", { skipLocked: true });
}

export async function markOutboxDispatched(db: DbOrTx, { ids }: { ids: string[] }) {
  if (ids.length === 0) return;
  await db
    .update(outboxEvents)
    .set({ dispatchedAt: new Date(), attempts: sql`${outboxEvents.attempts} + 1`, lastError: null })
    .where(inArray(outboxEvents.id, ids));
}

export async function markOutboxFailed(db: DbOrTx, { ids, error }: { ids: string[]; error: string }) {
  if (ids.length === 0) return;
  await db
    .update(outboxEvents)
    .set({ attempts: sql`${outboxEvents.attempts} + 1`, lastError: error })
    .where(inArray(outboxEvents.id, ids));
}

export async function findStepOutput(db: DbOrTx, { runId, stepId }: { runId: string; stepId: string }) {
  const [row] = await db
    .select({ output: jobSteps.output })
    .from(jobSteps)
    .where(and(eq(jobSteps.runId, runId), eq(jobSteps.stepId, stepId)));
  return row;
}

export async function insertStepOutput(
  db: DbOrTx,
  { runId, stepId, output }: { runId: string; stepId: string; output: unknown },
) {
  await db.insert(jobSteps).values({ runId, stepId, output }).onConflictDoNothing();
}

export async function insertDeadLetter(db: DbOrTx, row: typeof jobDeadLetters.$inferInsert) {
  const [inserted] = await db.insert(jobDeadLetters).values(row).onConflictDoNothing().returning();
  return inserted;
}

export async function listDeadLetters(
  db: DbOrTx,
  { tenantId, functionId, limit }: { tenantId?: string; functionId?: string; limit: number },
) {
  return db
    .select()
    .from(jobDeadLetters)
    .where(
      and(
        tenantId ? eq(jobDeadLetters.tenantId, tenantId) : undefined,
        functionId ? eq(jobDeadLetters.functionId, functionId) : undefined,
      ),
    )
    .orderBy(desc(jobDeadLetters.failedAt))
    .limit(limit);
}
