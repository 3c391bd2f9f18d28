// The Postgres store of the shared rate limits: token buckets and fixed windows, one statement
// each, so concurrent processes never lose a count and a take costs one round trip.
import { sql } from "drizzle-orm";
import type { Db, DbOrTx } from "../index";

export interface BucketTake {
  key: string;
  /** Tokens added per second. */
  rate: number;
  /** Most tokens the bucket holds (a fresh bucket starts full). */
  burst: number;
  /** Tokens wanted; as many as are available are granted (0 = none). */
  want: number;
  /** > 0: when none is available, one token may be reserved ahead (the bucket goes negative) if it is due within this many seconds. */
  debtSeconds?: number;
}

/**
 * Takes up to `want` tokens from a bucket refilled at `rate`/s up to `burst`: one call of
 * `herald_take_tokens()` (custom migration), which locks the row, refills it by the time since
 * its last take (read after the lock, so a taker that waited is not credited its wait), grants
 * and stores the rest. Runs on the raw client, so the statement is prepared once per connection.
 * Returns how many were granted and the tokens left (negative after a reservation).
 */
export async function takeBucketTokens(db: Db, input: BucketTake): Promise<{ granted: number; tokens: number }> {
  const rows = await db.$client<{ granted: number; tokens: number }[]>`
    select granted_tokens as granted, tokens_left as tokens
    from herald_take_tokens(${input.key}, ${input.rate}::float8, ${input.burst}::float8, ${input.want}::int, ${input.debtSeconds ?? 0}::float8)`;
  const row = rows[0]!;
  return { granted: Number(row.granted), tokens: Number(row.tokens) };
}

/**
 * Adds one hit to a fixed window and returns the count and window start after the hit.
 * One statement, so concurrent app processes never lose a count.
 */
export async function hitRateLimitBucket(db: DbOrTx, { key, windowSeconds }: { key: string; windowSeconds: number }) {
  const rows = await db.execute<{ count: number; window_start: Date }>(sql`
    insert into rate_limit_buckets (key, window_start, count) values (${key}, now(), 1)
    on conflict (key) do update set
      count = case when rate_limit_buckets.window_start < now() - make_interval(secs => ${windowSeconds})
                   then 1 else rate_limit_buckets.count + 1 end,
      window_start = case when rate_limit_buckets.window_start < now() - make_interval(secs => ${windowSeconds})
                   then now() else rate_limit_buckets.window_start end
    returning count, window_start`);
  const row = rows[0]!;
  return { count: Number(row.count), windowStart: new Date(row.window_start) };
}

export async function peekRateLimitBucket(db: DbOrTx, { key, windowSeconds }: { key: string; windowSeconds: number }) {
  const rows = await db.execute<{ count: number; window_start: Date }>(sql`
    select count, window_start from rate_limit_buckets
    where key = ${key} and window_start >= now() - make_interval(secs => ${windowSeconds})`);
  const row = rows[0];
  return row ? { count: Number(row.count), windowStart: new Date(row.window_start) } : undefined;
}

export async function clearRateLimitBucket(db: DbOrTx, { key }: { key: string }) {
  await db.execute(sql`delete from rate_limit_buckets where key = ${key}`);
}
