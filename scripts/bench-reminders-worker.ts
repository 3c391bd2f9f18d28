// The worker of `npm run bench:reminders`: the pg-boss engine with only the reminder firing
// workflows (the bench measures acceptance into the outbox, not provider delivery), so the bench
// can SIGKILL it mid-fan-out and start another.
import { closeDb } from "@/db";
import { fireReminderRun } from "@/inngest/functions/fire-reminder-run";
import { sendReminderChunk } from "@/inngest/functions/send-reminder-chunk";
import { startJobEngine, stopJobEngine } from "@/lib/jobs/job-engine";

await startJobEngine({ workflows: [fireReminderRun, sendReminderChunk], runWorkers: true });
process.stdout.write("worker ready\n");
const stop = async () => {
  await stopJobEngine();
  await closeDb();
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
