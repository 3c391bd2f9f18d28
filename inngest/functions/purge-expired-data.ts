import { retentionKinds } from "@/db/queries/retention";
import { deadLetterIsTerminal, defineWorkflow } from "@/lib/jobs/workflow";
import { purgeExpired } from "@/lib/retention/purge";

/** Each step purges for at most this long, well inside the run's lease. */
const STEP_BUDGET_MS = 20_000;
/** A backlog beyond this many steps per kind waits for the next scheduled run. */
const MAX_STEPS_PER_KIND = 50;

/**
 * PurgeExpiredData: deletes finished rows past their retention (README → Retention), kind by
 * kind, in small batches. Scheduled once per interval across all processes (the event id is the
 * time slot, so every process emitting it makes one run). Deletes are idempotent, so a re-run
 * after a crash just carries on.
 */
export const purgeExpiredData = defineWorkflow({
  id: "purge-expired-data",
  name: "PurgeExpiredData",
  event: "herald/retention.due",
  retries: 3,
  concurrency: 1,
  timeoutSeconds: 120,
  handler: async ({ step }) => {
    const deleted: Record<string, number> = {};
    for (const kind of retentionKinds) {
      deleted[kind] = 0;
      for (let n = 1; n <= MAX_STEPS_PER_KIND; n++) {
        const r = await step.run(`purge-${kind}-${n}`, () => purgeExpired({ kind, budgetMs: STEP_BUDGET_MS }));
        deleted[kind] += r.deleted;
        if (!r.more) break;
      }
    }
    return { deleted };
  },
  // Nothing to compensate: the rows are still there and the next slot's run purges them.
  onFailure: deadLetterIsTerminal,
});
