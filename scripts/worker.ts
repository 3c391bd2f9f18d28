// A separate job worker (pg-boss engine): `npm run worker`. Uses the app's database.
import { closeDb } from "@/db";
import { workflows } from "@/inngest/workflows";
import { startJobEngine, stopJobEngine } from "@/lib/jobs/job-engine";
import { logger } from "@/lib/logger";
import { startUsageFolding } from "@/lib/usage/fold-loop";
import { bootDatabase } from "@/lib/server/boot";

const booted = await bootDatabase({ mode: "worker" });
await startJobEngine({ workflows, runWorkers: true });
const usageFolding = startUsageFolding();
logger.info("worker ready");

const stop = async () => {
  await stopJobEngine();
  await usageFolding.stop();
  await closeDb();
  await booted.embedded?.stop();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
