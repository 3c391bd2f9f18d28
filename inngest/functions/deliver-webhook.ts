import { attemptWebhookDelivery } from "@/lib/outbound-webhooks/deliver";
import { defineWorkflow } from "@/lib/jobs/workflow";

/**
 * DeliverWebhook: one attempt of an outbound webhook delivery per run. A failed attempt is not
 * a failed run: the attempt records itself and schedules the next one as a delayed event
 * (pg-boss startAfter / Inngest ts), so the hours between retries hold no worker. The run
 * itself retries only when Herald could not record the attempt (database trouble) or another
 * run holds the attempt; the delivery row's claim keeps a re-run from posting twice.
 */
export const deliverWebhook = defineWorkflow({
  id: "deliver-webhook",
  name: "DeliverWebhook",
  event: "herald/webhook-delivery.due",
  retries: 8,
  concurrency: 8,
  timeoutSeconds: 90,
  handler: async ({ event, step }) => {
    const outcome = await step.run(`attempt-${event.data.attempt + 1}`, () =>
      attemptWebhookDelivery({ tenantId: event.data.tenantId, deliveryId: event.data.deliveryId, expectedAttempt: event.data.attempt }),
    );
    if (outcome.kind === "in_progress") throw new Error("another run holds this attempt; retrying after its lease");
    return outcome;
  },
});
