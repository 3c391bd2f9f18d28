import { getDb } from "@/db";
import { markCustomerioResyncPage, queueCustomerioSync, resyncKinds } from "@/lib/integrations/customerio/integration";
import { deadLetterIsTerminal, defineWorkflow } from "@/lib/jobs/workflow";

/**
 * ResyncCustomerio: marks every contact and/or school for a resend, one step per page of 5,000
 * (a re-run skips finished pages; re-marking one is harmless), then queues the sync, which
 * streams them out in batches. The page's total is recorded as it goes: the Integrations page's
 * progress bar.
 */
export const resyncCustomerio = defineWorkflow({
  id: "resync-customerio",
  name: "ResyncCustomerio",
  event: "herald/customerio.resync-due",
  retries: 5,
  concurrency: 2,
  tenantConcurrency: 1,
  timeoutSeconds: 600,
  handler: async ({ event, step }) => {
    const { tenantId, integrationId } = event.data;
    let marked = 0;
    for (const entity of resyncKinds(event.data)) {
      let afterId: string | null = null;
      for (let page = 0; ; page++) {
        const after: string | null = afterId;
        const result: { count: number; lastId: string | null } = await step.run(`mark-${entity}-${page}`, () => markCustomerioResyncPage({ tenantId, integrationId, entity, afterId: after }));
        if (result.count === 0) break;
        marked += result.count;
        afterId = result.lastId;
      }
    }
    await step.run("queue-sync", () => queueCustomerioSync(getDb(), { tenantId, integrationId, reason: `resync:${event.data.startedAt}` }));
    return { marked };
  },
  // The marked rows stay pending and the sweep sends them; the job dead letter records the failure.
  onFailure: deadLetterIsTerminal,
});
