import { errorText } from "@/lib/logger";
import { deterministicUuid } from "@/lib/jobs/run-id";
import { defineWorkflow } from "@/lib/jobs/workflow";
import { failReminderRun } from "@/lib/reminders/runs";
import { startFiring } from "@/lib/reminders/fire";

/** Chunk events per sendEvent step. */
const FAN_OUT_BATCH = 100;

/**
 * FireReminderRun: a run's instant has come (its delayed job from the planner, or the tick).
 * The `start` step claims the run (one winner among duplicates) and splits its sends into chunks;
 * then `step.sendEvent` fans the chunks out in batches, each chunk event with an id derived from
 * the run, the firing and the chunk, so a re-run of this workflow emits nothing new. A cancelled
 * run's chunks find it cancelled and send nothing.
 */
export const fireReminderRun = defineWorkflow({
  id: "fire-reminder-run",
  name: "FireReminderRun",
  event: "herald/reminder-run.due",
  retries: 8,
  concurrency: 4,
  timeoutSeconds: 300,
  handler: async ({ event, step }) => {
    const { tenantId, runId, force } = event.data;
    const start = await step.run("start", () => startFiring(tenantId, runId, { force }));
    if (start.status !== "running") return start;
    for (let i = 0; i < start.chunks.length; i += FAN_OUT_BATCH) {
      await step.sendEvent(
        `fan-out-${i / FAN_OUT_BATCH}`,
        start.chunks.slice(i, i + FAN_OUT_BATCH).map((c, j) => ({
          name: "herald/reminder-chunk.due" as const,
          data: { tenantId, runId, firing: start.firing, from: c.from, to: c.to, ...(force ? { force } : {}) },
          id: deterministicUuid(runId, "chunk", String(start.firing), String(i + j)),
        })),
      );
    }
    return { status: "fanned_out" as const, firing: start.firing, chunks: start.chunks.length };
  },
  onFailure: ({ event, error, attempts }) =>
    failReminderRun({ tenantId: event.data.tenantId, runId: event.data.runId, reason: `The firing stopped after ${attempts} attempts: ${errorText(error)}` }),
});
