import { queueCustomerioSync } from "@/lib/integrations/customerio/integration";
import { runCustomerioSync } from "@/lib/integrations/customerio/sync";
import { getDb } from "@/db";
import { deadLetterIsTerminal, defineWorkflow } from "@/lib/jobs/workflow";

/**
 * SyncCustomerio: one tenant's pending Customer.io changes, claimed in batches and sent until
 * nothing is due. Everything it sends is guarded by the rows' recorded versions and hashes, so a
 * re-run (pg-boss re-runs the whole job) repeats at most an idempotent identify. When rows wait
 * for a retry delay, the run queues the next one for then.
 */
export const syncCustomerio = defineWorkflow({
  id: "sync-customerio",
  name: "SyncCustomerio",
  event: "herald/customerio.sync-due",
  retries: 3,
  concurrency: 4,
  tenantConcurrency: 1,
  timeoutSeconds: 330,
  handler: async ({ event, step }) => {
    const result = await step.run("sync", () => runCustomerioSync({ tenantId: event.data.tenantId }));
    if (result.nextDueAt) {
      const at = new Date(result.nextDueAt);
      await step.run("queue-next", () => queueCustomerioSync(getDb(), { tenantId: event.data.tenantId, integrationId: event.data.integrationId, reason: "next", at }));
    }
    return result;
  },
  // Rows stay pending (nothing is lost); the minute sweep queues the next run.
  onFailure: deadLetterIsTerminal,
});
