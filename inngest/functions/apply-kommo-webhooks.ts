import { alertIntegrationFailed } from "@/lib/alerts/ops-alerts";
import { applyPendingKommoWebhooks } from "@/lib/integrations/kommo/webhooks";
import { defineWorkflow } from "@/lib/jobs/workflow";
import { errorText } from "@/lib/logger";

/**
 * ApplyKommoWebhooks: mirrors an integration's pending Kommo webhook deliveries to Unisender in
 * arrival order. One run per tenant at a time keeps one contact's changes in order; a run that
 * fails for good leaves the deliveries pending (shown on the integration) and its dead letter's
 * replay picks them up where they stopped.
 */
export const applyKommoWebhooks = defineWorkflow({
  id: "apply-kommo-webhooks",
  name: "Apply Kommo webhooks",
  event: "herald/kommo-webhooks.received",
  retries: 6,
  tenantConcurrency: 1,
  timeoutSeconds: 300,
  handler: async ({ event, step }) => step.run("apply", () => applyPendingKommoWebhooks(event.data)),
  onFailure: async ({ event, error, attempts }) => {
    alertIntegrationFailed({
      tenantId: event.data.tenantId,
      integration: "Kommo",
      integrationId: event.data.integrationId,
      message: `Webhook changes could not be applied after ${attempts} attempts (they stay pending; replay the dead letter): ${errorText(error)}`,
    });
  },
});
