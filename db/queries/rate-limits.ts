import { sql } from "drizzle-orm";
import type { DbOrTx } from "../index";

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
