import { getDb } from "@/db";
import { markApiKeyUsed } from "@/db/queries/api-keys";
import { deadLetterIsTerminal, defineWorkflow } from "@/lib/jobs/workflow";

/**
 * Moves an API key's last-used time forward. Done off the request path so authenticating a
 * key costs one indexed read, not a write; out-of-order runs can't move it backwards.
 */
export const recordApiKeyUsage = defineWorkflow({
  id: "record-api-key-usage",
  name: "Record API key usage",
  event: "herald/api-key.used",
  retries: 5,
  concurrency: 2,
  handler: async ({ event, step }) => {
    const updated = await step.run("update-last-used", () =>
      markApiKeyUsed(getDb(), { tenantId: event.data.tenantId, id: event.data.apiKeyId, usedAt: new Date(event.data.usedAt) }),
    );
    return { updated };
  },
  // Nothing for a tenant waits on this run: its job dead letter (listed under Dead letters) is the end state.
  onFailure: deadLetterIsTerminal,
});
