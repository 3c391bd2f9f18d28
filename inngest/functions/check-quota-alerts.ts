import { checkQuotaAlerts } from "@/lib/alerts/quota-alerts";
import { deadLetterIsTerminal, defineWorkflow } from "@/lib/jobs/workflow";

/**
 * CheckQuotaAlerts: every five minutes (one run across processes), raises an alert for each
 * provider config whose sends this month reached 80 % or 100 % of its monthly quota — once per
 * threshold, config and month.
 */
export const checkQuotaAlertsWorkflow = defineWorkflow({
  id: "check-quota-alerts",
  name: "CheckQuotaAlerts",
  event: "herald/quota-alerts.check",
  cron: "*/5 * * * *",
  retries: 0,
  concurrency: 1,
  timeoutSeconds: 120,
  handler: async ({ step }) => step.run("check", () => checkQuotaAlerts()),
  // The next run checks again.
  onFailure: deadLetterIsTerminal,
});
