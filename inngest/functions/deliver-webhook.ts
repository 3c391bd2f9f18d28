import { attemptWebhookDelivery, failWebhookDelivery } from "@/lib/outbound-webhooks/deliver";
import { errorText } from "@/lib/logger";
import { defineWorkflow } from "@/lib/jobs/workflow";

/**
 * DeliverWebhook: one attempt of an outbound webhook delivery per run. A failed attempt is not
 * a failed run: the attempt records itself and schedules the next one as a delayed event
 * (pg-boss startAfter / Inngest ts), so the hours between retries hold no worker. The run
 * itself retries only when Herald could not record the attempt (database trouble); the delivery
 * row's claim keeps a re-run from posting twice. When another run holds the attempt, the step
 * schedules a re-check for when that run's lease is up (a dead worker's attempt is then taken
 * over) and the run ends — the outcome memoised is "re-check scheduled", never "retry me".
 */
export const deliverWebhook = defineWorkflow({
  id: "deliver-webhook",
  name: "DeliverWebhook",
  event: "herald/webhook-delivery.due",
  retries: 8,
  concurrency: 8,
  timeoutSeconds: 90,
  handler: async ({ event, step }) => {
    return step.run(`attempt-${event.data.attempt + 1}`, () =>
      attemptWebhookDelivery({ tenantId: event.data.tenantId, deliveryId: event.data.deliveryId, expectedAttempt: event.data.attempt }),
    );
  },
  onFailure: ({ event, error, attempts }) =>
    failWebhookDelivery({
      tenantId: event.data.tenantId,
      deliveryId: event.data.deliveryId,
      reason: `Herald could not record this attempt after ${attempts} tries: ${errorText(error)}`,
    }),
});
