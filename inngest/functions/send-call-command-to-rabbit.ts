import { defineWorkflow } from "@/lib/jobs/workflow";
import { publishCallCommandBacklog } from "@/lib/telephony/publisher";

const RETRIES = 5;

/**
 * Sends an operator's forward/hang-up command to the telephony server on the `call-commands`
 * queue (confirmed, persistent, in order per call). A command is only useful while the call is
 * live, so the retry budget is short (≈ 1 minute) before it is dead-lettered.
 */
export const sendCallCommandToRabbit = defineWorkflow({
  id: "send-call-command-to-rabbit",
  name: "SendCallCommandToRabbit",
  event: "herald/call-command.requested",
  retries: RETRIES,
  concurrency: 2,
  timeoutSeconds: 120,
  handler: async ({ event, step, attempt }) => {
    return step.run("publish-call-commands", () =>
      publishCallCommandBacklog({
        tenantId: event.data.tenantId,
        callId: event.data.callId,
        deadLetterOnFailure: attempt >= RETRIES,
      }),
    );
  },
});
