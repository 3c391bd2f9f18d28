import { defineWorkflow } from "@/lib/jobs/workflow";
import { drainWebhookEvents, failUnmatchableWebhookEvents } from "@/lib/webhooks/process";
import { errorText } from "@/lib/logger";

class EventsWaiting extends Error {
  constructor(readonly waiting: number) {
    super(`${waiting} webhook events wait for their send to be recorded; retrying`);
    this.name = "EventsWaiting";
  }
}

/**
 * ProcessWebhookEvents: applies a tenant's recorded, still-pending provider events. The events
 * were acknowledged to the provider only after they were recorded, so nothing is lost if this
 * runs late or twice: a second run finds them processed. Reports that overtook their send stay
 * pending and the run is retried (with the engine's backoff) until the send is recorded.
 */
export const processWebhookEventsWorkflow = defineWorkflow({
  id: "process-webhook-events",
  name: "Process webhook events",
  event: "herald/webhook-events.received",
  retries: 12,
  concurrency: 4,
  timeoutSeconds: 120,
  handler: async ({ event, step, attempt }) => {
    const summary = await step.run(`drain-${attempt}`, () => drainWebhookEvents(event.data.tenantId));
    if (summary.waiting > 0) throw new EventsWaiting(summary.waiting);
    return summary;
  },
  // Events past the match wait can no longer be matched: they end `failed` with the reason. Younger
  // ones stay pending for a later run (the next delivery of the tenant) or the stuck-work sweeper.
  onFailure: ({ event, error, attempts }) =>
    failUnmatchableWebhookEvents({ tenantId: event.data.tenantId, reason: `processing failed after ${attempts} attempts: ${errorText(error)}` }),
});
