import { deadLetterIsTerminal, defineWorkflow } from "@/lib/jobs/workflow";
import { providerKinds } from "@/db/schema/provider-configs";
import { providerModule } from "@/lib/providers/registry";

/**
 * PollDeliveryReports: for providers that post no delivery reports (Netgsm), once a minute and
 * one run across processes, each module's `pollReports` asks the provider's report API for the
 * sent messages still waiting for one. Safe to repeat: the polls claim what they ask about, keep
 * the provider's query limits in the shared bucket, and record each status once.
 */
export const pollDeliveryReports = defineWorkflow({
  id: "poll-delivery-reports",
  name: "PollDeliveryReports",
  event: "herald/delivery-reports.poll",
  cron: "* * * * *",
  // The next minute's run asks again; a retry would only spend the same minute's query budget.
  retries: 0,
  concurrency: 1,
  timeoutSeconds: 120,
  handler: async ({ step }) => {
    const results: Record<string, Record<string, number>> = {};
    for (const kind of providerKinds) {
      const poll = providerModule(kind).pollReports;
      if (poll) results[kind] = await step.run(`poll-${kind}`, () => poll());
    }
    return results;
  },
  onFailure: deadLetterIsTerminal,
});
