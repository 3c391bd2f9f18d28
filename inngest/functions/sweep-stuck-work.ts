import { deadLetterIsTerminal, defineWorkflow } from "@/lib/jobs/workflow";
import { sweepStuckWork } from "@/lib/stuck-work/sweep";

/**
 * SweepStuckWork: once a minute (pg-boss schedule / Inngest cron, one run across processes),
 * resolves accepted work that outlived its deadline — a message still queued or sending, a
 * webhook delivery whose attempt never came, a call event never published — the way each
 * workflow's onFailure would. It catches what onFailure cannot: a run the engine gave up on
 * without calling it (a worker killed on its last attempt) or a job that was lost.
 */
export const sweepStuckWorkWorkflow = defineWorkflow({
  id: "sweep-stuck-work",
  name: "SweepStuckWork",
  event: "herald/stuck-work.sweep",
  cron: "* * * * *",
  retries: 0,
  concurrency: 1,
  timeoutSeconds: 300,
  handler: async ({ step }) => step.run("sweep", () => sweepStuckWork()),
  // The next minute's run sweeps again.
  onFailure: deadLetterIsTerminal,
});
