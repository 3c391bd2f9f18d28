import { deadLetterIsTerminal, defineWorkflow } from "@/lib/jobs/workflow";
import { pollNetgsmReports } from "@/lib/providers/netgsm/poll-reports";

/**
 * PollNetgsmReports: Netgsm posts no delivery reports, so once a minute (one run across processes)
 * Herald asks its report API for the sent messages still waiting for one. Safe to repeat: claims
 * keep two runs from asking for the same job, the per-account bucket holds the 10-a-minute limit
 * whoever asks, and each job's status is recorded once (event key `jobid:status`).
 */
export const pollNetgsmReportsWorkflow = defineWorkflow({
  id: "poll-netgsm-reports",
  name: "PollNetgsmReports",
  event: "herald/netgsm-reports.poll",
  cron: "* * * * *",
  // The next minute's run asks again; a retry would only spend the same minute's query budget.
  retries: 0,
  concurrency: 1,
  timeoutSeconds: 120,
  handler: async ({ step }) => step.run("poll", () => pollNetgsmReports()),
  onFailure: deadLetterIsTerminal,
});
