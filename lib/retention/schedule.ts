import { logger } from "@/lib/logger";
import { emitEvent } from "@/lib/jobs/emit";
import { deterministicUuid } from "@/lib/jobs/run-id";
import { retentionPolicy } from "./policy";

/**
 * Schedules the retention purge: every process running the job engine emits the event of the
 * current time slot, and the slot's deterministic id makes the outbox keep one of them — one run
 * per slot across the deployment, with no leader to elect.
 */
export function startRetentionSchedule(policy = retentionPolicy()): { stop: () => void } {
  const tick = async () => {
    const slot = String(Math.floor(Date.now() / policy.intervalMs));
    try {
      await emitEvent("herald/retention.due", { slot }, { id: deterministicUuid("herald/retention.due", String(policy.intervalMs), slot) });
    } catch (err) {
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, "could not schedule the retention purge");
    }
  };
  void tick();
  // Check a few times per slot so a slot is never skipped by timer drift.
  const timer = setInterval(() => void tick(), Math.max(1_000, Math.floor(policy.intervalMs / 4)));
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
