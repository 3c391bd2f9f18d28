// Starts Herald: database (embedded by default), migrations, job engine, and the web server.
import cluster from "node:cluster";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { closeDb } from "@/db";
import { workflows } from "@/inngest/workflows";
import { processBus } from "@/lib/cache/invalidation";
import { startJobEngine, stopJobEngine } from "@/lib/jobs/job-engine";
import { logger } from "@/lib/logger";
import { listenAsPrimary, listenAsWorker } from "@/lib/metrics/scrape";
import { receiveAlertsAsPrimary } from "@/lib/alerts/raise-alert";
import { stopAlerts } from "@/lib/alerts/alert-router";
import { startObservability } from "@/lib/observability/start";
import { sentry } from "@/lib/observability/sentry";
import { closeLimiterStore } from "@/lib/rate-limit/store";
import { startUsageFolding } from "@/lib/usage/fold-loop";
import { startDemoSandbox } from "@/lib/sandbox/sandbox";
import { bootDatabase } from "@/lib/server/boot";
import { startHttpServer } from "@/lib/server/http-server";
import { shutdownTimeoutMs } from "@/lib/server/lifecycle";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dev = process.argv.includes("--dev");
const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOSTNAME_BIND ?? "0.0.0.0";
const webProcesses = Math.max(1, Number(process.env.HERALD_WEB_CONCURRENCY ?? 1));
process.env.NEXTAUTH_URL ??= `http://localhost:${port}`;

async function primary() {
  await startObservability();
  if (!dev && !existsSync(path.join(root, ".next", "BUILD_ID"))) {
    logger.info("no production build found: running `next build` first");
    const built = spawnSync("npx", ["next", "build"], { cwd: root, stdio: "inherit", env: { ...process.env, NODE_ENV: "production" } });
    if (built.status !== 0) process.exit(built.status ?? 1);
  }
  const booted = await bootDatabase({ mode: "app" });
  processBus().ensureStarted();
  const runWorkers = process.env.HERALD_IN_PROCESS_WORKERS !== "false";
  await startJobEngine({ workflows, runWorkers });
  const usageFolding = startUsageFolding();

  // Development on the embedded database: the demo tenant's sandbox providers (never when
  // NODE_ENV is production). Decided before Next loads, which sets NODE_ENV for its own use.
  const sandbox = booted.embedded
    ? await startDemoSandbox({ firstStart: !!booted.seededOwner }).catch((err: unknown) => {
        logger.warn({ err }, "the sandbox providers could not be started");
        return null;
      })
    : null;

  let web: { close(): Promise<unknown> } | undefined;
  if (webProcesses > 1) {
    // One web process per core; this process keeps the database, job engine and outbox relay.
    cluster.setupPrimary({ exec: fileURLToPath(import.meta.url), args: process.argv.slice(2) });
    // A scrape reaching any web process is answered for all of them and this one (the job engine's counters).
    listenAsPrimary();
    // Web processes hand their alerts here: one sender per Slack webhook keeps to Slack's pace.
    receiveAlertsAsPrimary();
    for (let i = 0; i < webProcesses; i++) cluster.fork({ ...process.env, HERALD_WEB_WORKER: "1" });
    cluster.on("exit", (w, code) => {
      if (!shuttingDown) {
        logger.error({ pid: w.process.pid, code }, "web process exited; starting another");
        cluster.fork({ ...process.env, HERALD_WEB_WORKER: "1" });
      }
    });
  } else {
    web = await startHttpServer({ dev, port, hostname });
  }

  logger.info({ url: process.env.NEXTAUTH_URL, engine: process.env.INNGEST_DEV || process.env.INNGEST_EVENT_KEY ? "inngest" : "pg-boss", webProcesses }, "Herald is ready");
  if (booted.seededOwner) {
    // Printed once, on the start that created the account; it is not stored anywhere in clear.
    process.stdout.write(
      `\n  Demo tenant created. Sign in at ${process.env.NEXTAUTH_URL}/sign-in\n` +
        `    email:    ${booted.seededOwner.email}\n    password: ${booted.seededOwner.password}\n\n`,
    );
  }
  if (sandbox?.curl) {
    process.stdout.write(
      `  Sandbox providers (email, SMS, push, WhatsApp) answer from a simulator inside Herald; nothing leaves this machine.\n` +
        `  Your first send (watch it go queued → sent → delivered → opened under Messages):\n\n    ${sandbox.curl}\n\n`,
    );
  }

  let shuttingDown = false;
  // SIGTERM: drain the web tier first (the relay keeps moving what its requests commit), then
  // the job engine (running jobs get HERALD_SHUTDOWN_TIMEOUT_SECONDS), then the connections.
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, "shutting down");
    const forks = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
    const forksExited = Promise.all(forks.map((w) => new Promise((resolve) => (w.isDead() ? resolve(null) : w.once("exit", resolve)))));
    for (const w of forks) w.kill("SIGTERM");
    await Promise.race([forksExited, new Promise((r) => setTimeout(r, shutdownTimeoutMs() + 10_000))]);
    await web?.close().catch((err: unknown) => logger.error({ err }, "web server stop failed"));
    await stopJobEngine().catch((err: unknown) => logger.error({ err }, "job engine stop failed"));
    await usageFolding.stop().catch((err: unknown) => logger.error({ err }, "usage fold failed"));
    await closeLimiterStore().catch(() => {});
    await stopAlerts().catch((err: unknown) => logger.warn({ err }, "alerts could not be spooled"));
    await sentry()?.flush(2_000);
    await closeDb();
    await booted.embedded?.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

async function webWorker() {
  await startObservability({ sendAlerts: false });
  listenAsWorker();
  processBus().ensureStarted();
  const web = await startHttpServer({ dev, port, hostname });
  process.on("SIGTERM", () => {
    void web.close().finally(async () => {
      await closeLimiterStore().catch(() => {});
      await closeDb();
      process.exit(0);
    });
  });
}

if (cluster.isPrimary) {
  primary().catch((err) => {
    logger.fatal({ err }, "Herald failed to start");
    process.exit(1);
  });
} else {
  webWorker().catch((err) => {
    logger.fatal({ err }, "web process failed to start");
    process.exit(1);
  });
}
