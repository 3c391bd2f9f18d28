import { getDb } from "@/db";
import { queueCustomerioSync } from "@/lib/integrations/customerio/integration";
import { sweepCustomerio } from "@/lib/integrations/customerio/sync";
import { deadLetterIsTerminal, defineWorkflow } from "@/lib/jobs/workflow";

/** CustomerioSweep: once a minute, a run for every integration with due rows (a lost kick, an ended delay). */
export const sweepCustomerioWorkflow = defineWorkflow({
  id: "customerio-sweep",
  name: "CustomerioSweep",
  event: "herald/customerio.sweep",
  cron: "* * * * *",
  retries: 0,
  concurrency: 1,
  timeoutSeconds: 120,
  handler: async ({ step }) => step.run("sweep", () => sweepCustomerio((tenantId, integrationId) => queueCustomerioSync(getDb(), { tenantId, integrationId, reason: "sweep" }))),
  onFailure: deadLetterIsTerminal,
});
