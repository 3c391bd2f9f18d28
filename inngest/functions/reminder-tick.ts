import { deadLetterIsTerminal, defineWorkflow } from "@/lib/jobs/workflow";
import { reminderTick } from "@/lib/reminders/tick";

/**
 * ReminderTick: once a minute (pg-boss schedule / Inngest cron, one run across processes), fires
 * reminder runs that are due by the reminder clock and repairs what a lost job or a crash left
 * behind (see lib/reminders/tick.ts). Runs are claimed before they fan out, so a tick racing the
 * run's own delayed job fires it once.
 */
export const reminderTickWorkflow = defineWorkflow({
  id: "reminder-tick",
  name: "ReminderTick",
  event: "herald/reminders.tick",
  cron: "* * * * *",
  retries: 0,
  concurrency: 1,
  timeoutSeconds: 300,
  handler: async ({ step }) => step.run("tick", () => reminderTick()),
  // The next minute's tick looks again.
  onFailure: deadLetterIsTerminal,
});
