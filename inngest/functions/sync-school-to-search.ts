import { deadLetterIsTerminal, defineWorkflow } from "@/lib/jobs/workflow";
import { syncSchoolsToTypesense } from "@/lib/schools/search/sync";
import { ensureSchoolCollection, typesenseConfig } from "@/lib/schools/search/typesense";

/**
 * Keeps the Typesense index in step with every school change (the outbox emits
 * herald/schools.changed in the transaction of the change). Upserts and deletes are idempotent
 * and read the current row, so a retry or a late run never restores stale data. Without
 * Typesense configured, Postgres is the index and there is nothing to do.
 */
export const syncSchoolToSearch = defineWorkflow({
  id: "sync-school-to-search",
  name: "Sync schools to the search index",
  event: "herald/schools.changed",
  retries: 8,
  concurrency: 2,
  timeoutSeconds: 120,
  handler: async ({ event, step }) => {
    const config = typesenseConfig();
    if (!config) return { skipped: "typesense not configured" };
    await step.run("ensure-collection", () => ensureSchoolCollection(config));
    return step.run("sync-documents", () => syncSchoolsToTypesense(config, event.data.tenantId, event.data.schoolIds));
  },
  // Nothing for a tenant waits on this run: its job dead letter (listed under Dead letters) is the end state.
  onFailure: deadLetterIsTerminal,
});
