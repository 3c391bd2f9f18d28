import { getDb } from "@/db";
import { clearRateLimitBucket, hitRateLimitBucket, peekRateLimitBucket, takeBucketTokens } from "@/db/queries/rate-limits";
import { sql } from "drizzle-orm";
import { grantOf, type LimiterStore } from "./store";

/** The default store: the UNLOGGED tables of db/schema/rate-limits.ts, one round trip per call. */
export function createPostgresStore(): LimiterStore {
  return {
    kind: "postgres",
    async takeTokens(take) {
      const r = await takeBucketTokens(getDb(), take);
      return grantOf(take, r.granted, r.tokens);
    },
    hitWindow: (input) => hitRateLimitBucket(getDb(), input),
    peekWindow: (input) => peekRateLimitBucket(getDb(), input),
    clearWindow: (input) => clearRateLimitBucket(getDb(), input),
    async ping() {
      try {
        await getDb().execute(sql`select 1`);
        return { ok: true };
      } catch (err) {
        return { ok: false, detail: err instanceof Error ? err.message : String(err) };
      }
    },
    // The pool belongs to db/.
    async close() {},
  };
}
