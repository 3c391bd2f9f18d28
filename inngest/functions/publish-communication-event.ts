import { publishCommunicationEvent, PUBLISH_RETRIES } from "@/lib/messaging/communication-events";
import { defineWorkflow } from "@/lib/jobs/workflow";

/**
 * PublishCommunicationEvent: the retry path for a communication.* event the delivery workflow
 * could not publish inline (broker down). Backs off 1 s, 2 s, 4 s … (≈ 4 minutes over 8
 * retries); the last attempt sends it to the dead-letter queue (or, if the broker is still
 * down, marks the row dead-lettered for an admin to retry). The row state is the guard.
 */
export const publishCommunicationEventWorkflow = defineWorkflow({
  id: "publish-communication-event",
  name: "PublishCommunicationEvent",
  event: "herald/communication-event.publish",
  retries: PUBLISH_RETRIES,
  concurrency: 2,
  timeoutSeconds: 60,
  handler: async ({ event, step, attempt }) => {
    return step.run("publish", () =>
      publishCommunicationEvent({
        tenantId: event.data.tenantId,
        eventId: event.data.eventId,
        final: attempt >= PUBLISH_RETRIES,
        throwOnOutage: true,
      }),
    );
  },
});
