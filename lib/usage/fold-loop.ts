import { getDb } from "@/db";
import { foldUsageDeltas } from "@/db/queries/usage";
import { logger } from "@/lib/logger";

const FOLD_MS = 1_000;

/**
 * Folds appended usage increments into the hourly rollups once a second in the job process, so
 * rollups stay current without any request or delivery waiting on them. Reads fold too.
 */
export function startUsageFolding(): { stop: () => Promise<void> } {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    try {
      while ((await foldUsageDeltas(getDb())) >= 20_000 && !stopped) {
        // a backlog: keep folding
      }
    } catch (err) {
      logger.warn({ err }, "usage fold failed; will retry");
    }
  };
  const timer = setInterval(() => {
    running = running.then(tick);
  }, FOLD_MS);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      await tick();
    },
  };
}
