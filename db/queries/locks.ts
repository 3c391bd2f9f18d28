import { sql } from "drizzle-orm";
import type { DbOrTx } from "../index";

/**
 * Serialises transactions on one logical key (e.g. `telephony_token:<tenant>`) until the caller's
 * transaction ends: for insert-or-rotate paths where the row to lock doesn't exist yet.
 */
export async function lockKeyForTransaction(tx: DbOrTx, { key }: { key: string }): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`);
}
