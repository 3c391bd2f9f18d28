import { getDb } from "@/db";
import { purgeExpiredBatch, type RetentionKind } from "@/db/queries/retention";
import { logger } from "@/lib/logger";
import { purgeExpiredMediaBatch } from "@/lib/media/purge";
import { retentionPolicy, type RetentionPolicy } from "./policy";

/**
 * Purges expired rows of one kind in batches for up to `budgetMs`; says whether more remain, so
 * the workflow can run another step (each step stays well inside the engine's lease).
 */
export async function purgeExpired(input: { kind: RetentionKind; budgetMs: number; policy?: RetentionPolicy }): Promise<{ deleted: number; more: boolean }> {
  const policy = input.policy ?? retentionPolicy();
  const started = Date.now();
  let deleted = 0;
  for (;;) {
    const kind = input.kind;
    // Media rows carry stored objects: deleted through the storage first, in smaller batches.
    const batch =
      kind === "media"
        ? await purgeExpiredMediaBatch({ limit: Math.min(policy.batch, 200) })
        : await purgeExpiredBatch(getDb(), { kind, days: policy.days[kind], limit: policy.batch });
    deleted += batch.deleted;
    if (!batch.full) {
      if (deleted > 0) logger.info({ kind: input.kind, deleted }, "retention purge done");
      return { deleted, more: false };
    }
    if (Date.now() - started >= input.budgetMs) return { deleted, more: true };
    await new Promise((r) => setTimeout(r, policy.pauseMs));
  }
}
