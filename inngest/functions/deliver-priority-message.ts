import { defineWorkflow } from "@/lib/jobs/workflow";
import { DELIVERY_LEASE_SECONDS, deliverMessageRun, failDeliveryForGood, positiveEnv } from "./deliver-message";

/**
 * DeliverPriorityMessage: the priority lane (OTPs). The same run as DeliverMessage on a queue of
 * its own with its own workers, so a code never waits for a worker busy with a campaign — on
 * pg-boss and on Inngest alike. No per-tenant cap: OTPs are few and throttled at the API.
 */
export const deliverPriorityMessage = defineWorkflow({
  id: "deliver-priority-message",
  name: "DeliverPriorityMessage",
  event: "herald/message.priority-queued",
  retries: 20,
  concurrency: positiveEnv("HERALD_PRIORITY_DELIVERY_CONCURRENCY") ?? 8,
  timeoutSeconds: DELIVERY_LEASE_SECONDS,
  handler: deliverMessageRun,
  onFailure: failDeliveryForGood,
});
