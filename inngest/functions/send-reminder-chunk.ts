import { errorText } from "@/lib/logger";
import { defineWorkflow } from "@/lib/jobs/workflow";
import { failReminderChunk } from "@/lib/reminders/runs";
import { sendRunChunk } from "@/lib/reminders/fire";

/**
 * SendReminderChunk: one chunk of a firing, sent through the batch send path in one step. The
 * chunk's sends are locked while it runs and every message carries its derived idempotency key,
 * so a retry, a worker killed mid-chunk (pg-boss re-runs it after the lease) or a duplicate chunk
 * event creates nothing twice. Sends held back by the tenant's quota make the step throw and run
 * again with backoff, keeping what was already sent.
 */
export const sendReminderChunk = defineWorkflow({
  id: "send-reminder-chunk",
  name: "SendReminderChunk",
  event: "herald/reminder-chunk.due",
  retries: 10,
  // Each chunk holds a transaction while the batch send uses a second connection: keep well under the pool.
  concurrency: Math.max(1, Number(process.env.HERALD_REMINDER_CHUNK_CONCURRENCY) || 4),
  // pg-boss lease: a chunk whose worker died is run again after this (HERALD_REMINDER_CHUNK_LEASE_SECONDS).
  timeoutSeconds: Math.max(10, Number(process.env.HERALD_REMINDER_CHUNK_LEASE_SECONDS) || 120),
  handler: async ({ event, step }) => step.run("send", () => sendRunChunk(event.data)),
  onFailure: ({ event, error, attempts }) =>
    failReminderChunk({ ...event.data, reason: `Sending this part of the run stopped after ${attempts} attempts: ${errorText(error)}` }),
});
