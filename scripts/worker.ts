// A separate job worker (pg-boss engine): `npm run worker`. Uses the app's database.
// `npm run worker -- --drain-pg-boss`: when switching to Inngest, runs what pg-boss still holds and
// exits once it holds nothing (README → Running in production).
import { closeDb } from "@/db";
import { workflows } from "@/inngest/workflows";
import { processBus } from "@/lib/cache/invalidation";
import { startJobEngine, stopJobEngine } from "@/lib/jobs/job-engine";
import { logger } from "@/lib/logger";
import { startMetricsListener } from "@/lib/metrics/listener";
import { stopAlerts } from "@/lib/alerts/alert-router";
import { startObservability } from "@/lib/observability/start";
import { sentry } from "@/lib/observability/sentry";
import { closeLimiterStore } from "@/lib/rate-limit/store";
import { startUsageFolding } from "@/lib/usage/fold-loop";
import { bootDatabase } from "@/lib/server/boot";

await startObservability();
const drain = process.argv.includes("--drain-pg-boss");
const booted = await bootDatabase({ mode: "worker" });
processBus().ensureStarted();
const engine = await startJobEngine({ workflows, runWorkers: true, drainPgBoss: drain });
const usageFolding = startUsageFolding();
const metricsPort = Number(process.env.HERALD_METRICS_PORT ?? 0);
const metrics = metricsPort > 0 ? await startMetricsListener(metricsPort) : undefined;
logger.info({ metricsPort: metrics ? metricsPort : undefined }, drain ? "worker draining pg-boss" : "worker ready");

let stopping = false;
// SIGTERM: stop taking jobs and give the running ones HERALD_SHUTDOWN_TIMEOUT_SECONDS to finish
// (pg-boss fails what is still running then, and another worker retries it).
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "worker stopping");
  await metrics?.close();
  await stopJobEngine().catch((err: unknown) => logger.error({ err }, "job engine stop failed"));
  await usageFolding.stop().catch((err: unknown) => logger.error({ err }, "usage fold failed"));
  await stopAlerts().catch((err: unknown) => logger.warn({ err }, "alerts could not be spooled"));
  await sentry()?.flush(2_000);
  await closeLimiterStore().catch(() => {});
  await closeDb();
  await booted.embedded?.stop();
  process.exit(0);
};
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));

if (drain) {
  // Twice empty a few seconds apart: a job that ends by scheduling its successor leaves a gap.
  let empty = 0;
  for (;;) {
    const open = await engine.pgBoss!.openJobs();
    empty = open === 0 ? empty + 1 : 0;
    if (empty >= 2) break;
    logger.info({ open }, "pg-boss jobs left");
    await new Promise((r) => setTimeout(r, 5_000));
  }
  logger.warn("pg-boss holds no open job: drained");
  await stop("drained");
}
