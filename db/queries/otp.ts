// Queries of one-time passcodes: codes, policies, throttle counters, blocks, refusals, stats.
import { and, desc, eq, gte, inArray, isNull, lt, sql } from "drizzle-orm";
import type { DbOrTx } from "../index";
import {
  otpBlocks,
  otpCodes,
  otpPolicies,
  otpProviderApps,
  otpRefusals,
  type NewOtpCode,
  type OtpBlockKind,
  type OtpCode,
  type SealedCode,
} from "../schema";

export async function insertOtpCode(db: DbOrTx, row: NewOtpCode & { id: string }) {
  const [inserted] = await db.insert(otpCodes).values(row).onConflictDoNothing().returning();
  return inserted;
}

export async function findOtpCode(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }) {
  const [row] = await db
    .select()
    .from(otpCodes)
    .where(and(eq(otpCodes.tenantId, tenantId), eq(otpCodes.id, id)));
  return row;
}

export async function findOtpCodeByIdempotencyKey(db: DbOrTx, { tenantId, key }: { tenantId: string; key: string }) {
  const [row] = await db
    .select()
    .from(otpCodes)
    .where(and(eq(otpCodes.tenantId, tenantId), eq(otpCodes.idempotencyKey, key)));
  return row;
}

/** The row locked for a verification decision (the caller's transaction; no network I/O inside). */
export async function lockOtpCode(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }) {
  const [row] = await db
    .select()
    .from(otpCodes)
    .where(and(eq(otpCodes.tenantId, tenantId), eq(otpCodes.id, id)))
    .for("update");
  return row;
}

export async function updateOtpCode(
  db: DbOrTx,
  { tenantId, id, set, where }: { tenantId: string; id: string; set: Partial<OtpCode>; where?: { status?: OtpCode["status"] | OtpCode["status"][]; generation?: number } },
) {
  const conditions = [eq(otpCodes.tenantId, tenantId), eq(otpCodes.id, id)];
  if (Array.isArray(where?.status)) conditions.push(inArray(otpCodes.status, where.status));
  else if (where?.status) conditions.push(eq(otpCodes.status, where.status));
  if (where?.generation !== undefined) conditions.push(eq(otpCodes.generation, where.generation));
  const [row] = await db
    .update(otpCodes)
    .set(set)
    .where(and(...conditions))
    .returning();
  return row;
}

/** Takes one provider-side verification check (Infobip 2FA) before the call: attempts + 1 while pending. */
export async function claimOtpCheck(db: DbOrTx, { tenantId, id, generation }: { tenantId: string; id: string; generation: number }) {
  const [row] = await db
    .update(otpCodes)
    .set({ attempts: sql`${otpCodes.attempts} + 1` })
    .where(
      and(
        eq(otpCodes.tenantId, tenantId),
        eq(otpCodes.id, id),
        eq(otpCodes.generation, generation),
        eq(otpCodes.status, "pending"),
        sql`${otpCodes.attempts} < ${otpCodes.maxAttempts}`,
      ),
    )
    .returning();
  return row;
}

/** Wipes the sealed code of one generation (after the send, or when the code can no longer be used). */
export async function wipeSealedCode(
  db: DbOrTx,
  { tenantId, id, generation, set = {} }: { tenantId: string; id: string; generation?: number; set?: Partial<OtpCode> },
) {
  const conditions = [eq(otpCodes.tenantId, tenantId), eq(otpCodes.id, id)];
  if (generation !== undefined) conditions.push(eq(otpCodes.generation, generation));
  await db
    .update(otpCodes)
    .set({ codeSealed: null as SealedCode | null, ...set })
    .where(and(...conditions));
}

// ---------------------------------------------------------------------------------------------
// Policy

export async function findOtpPolicy(db: DbOrTx, { tenantId }: { tenantId: string }) {
  const [row] = await db.select().from(otpPolicies).where(eq(otpPolicies.tenantId, tenantId));
  return row;
}

export async function upsertOtpPolicy(db: DbOrTx, row: typeof otpPolicies.$inferInsert) {
  const { tenantId: _tenantId, ...set } = row;
  const [saved] = await db
    .insert(otpPolicies)
    .values(row)
    .onConflictDoUpdate({ target: otpPolicies.tenantId, set: { ...set, updatedAt: new Date() } })
    .returning();
  return saved!;
}

// ---------------------------------------------------------------------------------------------
// Throttle counters (fixed windows in rate_limit_buckets)

export interface CounterHit {
  key: string;
  windowSeconds: number;
  /** How many hits the window allows. */
  limit: number;
  /** Hits this request adds (1 per send). */
  add?: number;
}

/**
 * Adds every hit, keys in sorted order (no deadlocks between requests), and stops at the first
 * counter that goes over its limit. Run it inside the caller's transaction and roll back on an
 * over: a refused request then leaves no count behind, and concurrent requests for one
 * destination serialise on its row.
 */
export async function hitCounters(tx: DbOrTx, hits: CounterHit[]): Promise<(CounterHit & { retryAfterSeconds: number }) | null> {
  const sorted = [...hits].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const h of sorted) {
    const add = h.add ?? 1;
    const rows = await tx.execute<{ count: number; retry: number }>(sql`
      insert into rate_limit_buckets (key, window_start, count) values (${h.key}, now(), ${add})
      on conflict (key) do update set
        count = case when rate_limit_buckets.window_start < now() - make_interval(secs => ${h.windowSeconds})
                     then ${add} else rate_limit_buckets.count + ${add} end,
        window_start = case when rate_limit_buckets.window_start < now() - make_interval(secs => ${h.windowSeconds})
                     then now() else rate_limit_buckets.window_start end
      returning count, extract(epoch from (window_start + make_interval(secs => ${h.windowSeconds}) - now()))::float8 as retry`);
    const row = rows[0]!;
    if (Number(row.count) > h.limit) return { ...h, retryAfterSeconds: Math.max(1, Math.ceil(Number(row.retry))) };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Blocks and refusals

export async function findActiveBlocks(db: DbOrTx, { tenantId, country, prefix }: { tenantId: string; country: string | null; prefix: string }) {
  const rows = await db
    .select()
    .from(otpBlocks)
    .where(and(eq(otpBlocks.tenantId, tenantId), isNull(otpBlocks.unblockedAt)));
  return rows.filter((b) => (b.kind === "country" && b.value === country) || (b.kind === "prefix" && prefix.startsWith(b.value)));
}

export async function insertBlock(
  db: DbOrTx,
  row: { tenantId: string; kind: OtpBlockKind; value: string; reason: string; stats: Record<string, unknown> },
) {
  const [inserted] = await db.insert(otpBlocks).values(row).onConflictDoNothing().returning();
  return inserted;
}

export async function listBlocks(db: DbOrTx, { tenantId, limit = 200 }: { tenantId: string; limit?: number }) {
  return db.select().from(otpBlocks).where(eq(otpBlocks.tenantId, tenantId)).orderBy(desc(otpBlocks.createdAt)).limit(limit);
}

export async function unblock(db: DbOrTx, { tenantId, id, by }: { tenantId: string; id: string; by: string }) {
  const [row] = await db
    .update(otpBlocks)
    .set({ unblockedAt: new Date(), unblockedBy: by })
    .where(and(eq(otpBlocks.tenantId, tenantId), eq(otpBlocks.id, id), isNull(otpBlocks.unblockedAt)))
    .returning();
  return row;
}

export async function findBlock(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }) {
  const [row] = await db
    .select()
    .from(otpBlocks)
    .where(and(eq(otpBlocks.tenantId, tenantId), eq(otpBlocks.id, id)));
  return row;
}

export async function insertRefusal(db: DbOrTx, row: { tenantId: string; reason: string; country: string | null; prefix: string | null }) {
  await db.insert(otpRefusals).values(row);
}

/**
 * Sends and verifications of OTPs to a country or prefix since `since`, counting only OTPs older
 * than `settledBefore` (a code sent a moment ago has not had the time to be verified yet).
 */
export async function conversionSince(
  db: DbOrTx,
  { tenantId, kind, value, since, settledBefore }: { tenantId: string; kind: OtpBlockKind; value: string; since: Date; settledBefore: Date },
) {
  const match = kind === "country" ? eq(otpCodes.country, value) : sql`${otpCodes.prefix} like ${`${value}%`}`;
  const [row] = await db
    .select({
      sends: sql<number>`sum(${otpCodes.generation})::int`,
      verified: sql<number>`count(*) filter (where ${otpCodes.status} = 'verified')::int`,
    })
    .from(otpCodes)
    .where(and(eq(otpCodes.tenantId, tenantId), match, gte(otpCodes.createdAt, since), lt(otpCodes.createdAt, settledBefore)));
  return { sends: Number(row?.sends ?? 0), verified: Number(row?.verified ?? 0) };
}

// ---------------------------------------------------------------------------------------------
// Stats (the one definition: lib/otp/stats.ts reads only these)

export async function otpStatsSince(db: DbOrTx, { tenantId, since }: { tenantId: string; since: Date }) {
  const rows = await db
    .select({
      country: otpCodes.country,
      requests: sql<number>`count(*)::int`,
      sends: sql<number>`sum(${otpCodes.generation})::int`,
      verified: sql<number>`count(*) filter (where ${otpCodes.status} = 'verified')::int`,
      medianVerifySeconds: sql<number | null>`percentile_cont(0.5) within group (order by extract(epoch from (${otpCodes.verifiedAt} - ${otpCodes.createdAt}))) filter (where ${otpCodes.verifiedAt} is not null)`,
    })
    .from(otpCodes)
    .where(and(eq(otpCodes.tenantId, tenantId), gte(otpCodes.createdAt, since)))
    .groupBy(otpCodes.country);
  const [overall] = await db
    .select({
      medianVerifySeconds: sql<number | null>`percentile_cont(0.5) within group (order by extract(epoch from (${otpCodes.verifiedAt} - ${otpCodes.createdAt}))) filter (where ${otpCodes.verifiedAt} is not null)`,
    })
    .from(otpCodes)
    .where(and(eq(otpCodes.tenantId, tenantId), gte(otpCodes.createdAt, since)));
  const refusals = await db
    .select({ reason: otpRefusals.reason, country: otpRefusals.country, count: sql<number>`count(*)::int` })
    .from(otpRefusals)
    .where(and(eq(otpRefusals.tenantId, tenantId), gte(otpRefusals.at, since)))
    .groupBy(otpRefusals.reason, otpRefusals.country);
  return { rows, overallMedian: overall?.medianVerifySeconds ?? null, refusals };
}

// ---------------------------------------------------------------------------------------------
// Provider 2FA applications

export async function findProviderApp(db: DbOrTx, { configId, templateKey }: { configId: string; templateKey: string }) {
  const [row] = await db
    .select()
    .from(otpProviderApps)
    .where(and(eq(otpProviderApps.configId, configId), eq(otpProviderApps.templateKey, templateKey), eq(otpProviderApps.enabled, true)));
  return row;
}

export async function insertProviderApp(db: DbOrTx, row: typeof otpProviderApps.$inferInsert) {
  const [inserted] = await db.insert(otpProviderApps).values(row).onConflictDoNothing().returning();
  return inserted;
}

/** When an admin last lifted a block on this country/prefix: detection counts only later codes. */
export async function lastUnblockedAt(db: DbOrTx, { tenantId, kind, value }: { tenantId: string; kind: OtpBlockKind; value: string }) {
  const [row] = await db
    .select({ at: sql<Date | null>`max(${otpBlocks.unblockedAt})` })
    .from(otpBlocks)
    .where(and(eq(otpBlocks.tenantId, tenantId), eq(otpBlocks.kind, kind), eq(otpBlocks.value, value)));
  return row?.at ? new Date(row.at) : null;
}
