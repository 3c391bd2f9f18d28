import { alertIntegrationFailed } from "@/lib/alerts/ops-alerts";
import { failKommoSyncRun, runKommoSyncStep } from "@/lib/integrations/kommo/sync";
import { defineWorkflow } from "@/lib/jobs/workflow";
import { errorText } from "@/lib/logger";

/**
 * SyncKommoContacts: a full sync, one step per 500 contacts. The cursor lives on the integration
 * row, so a run the engine re-runs from the top (pg-boss) or retries resumes at the saved page.
 */
export const syncKommoContacts = defineWorkflow({
  id: "sync-kommo-contacts",
  name: "Sync Kommo contacts to Unisender",
  event: "herald/kommo-sync.requested",
  retries: 5,
  concurrency: 2,
  tenantConcurrency: 1,
  timeoutSeconds: 900,
  handler: async ({ event, step }) => {
    for (let i = 0; i < 100_000; i++) {
      const { done } = await step.run(`step-${i}`, () => runKommoSyncStep(event.data));
      if (done) return { steps: i + 1 };
    }
    return { steps: 100_000 };
  },
  onFailure: async ({ event, error, attempts }) => {
    const message = `Full sync failed after ${attempts} attempts: ${errorText(error)}`;
    await failKommoSyncRun({ ...event.data, error: message });
    alertIntegrationFailed({ tenantId: event.data.tenantId, integration: "Kommo", integrationId: event.data.integrationId, message });
  },
});
