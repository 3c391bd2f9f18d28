// Starts Herald: database (embedded by default), migrations, job engine, and the web server.
import cluster from "node:cluster";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { closeDb } from "@/db";
import { workflows } from "@/inngest/workflows";
import { startJobEngine, stopJobEngine } from "@/lib/jobs/job-engine";
import { logger } from "@/lib/logger";
import { startUsageFolding } from "@/lib/usage/fold-loop";
import { bootDatabase } from "@/lib/server/boot";
import { startHttpServer } from "@/lib/server/http-server";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dev = process.argv.includes("--dev");
const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOSTNAME_BIND ?? "0.0.0.0";
const webProcesses = Math.max(1, Number(process.env.HERALD_WEB_CONCURRENCY ?? 1));
process.env.NEXTAUTH_URL ??= `http://localhost:${port}`;

async function primary() {
  if (!dev && !existsSync(path.join(root, ".next", "BUILD_ID"))) {
    logger.info("no production build found: running `next build` first");
    const built = spawnSync("npx", ["next", "build"], { cwd: root, stdio: "inherit", env: { ...process.env, NODE_ENV: "production" } });
    if (built.status !== 0) process.exit(built.status ?? 1);
  }
  const booted = await bootDatabase({ mode: "app" });
  const runWorkers = process.env.HERALD_IN_PROCESS_WORKERS !== "false";
  await startJobEngine({ workflows, runWorkers });
  const usageFolding = startUsageFolding();

  let web: { close(): Promise<void> } | undefined;
  if (webProcesses > 1) {
    // One web process per core; this process keeps the database, job engine and outbox relay.
    cluster.setupPrimary({ exec: fileURLToPath(import.meta.url), args: process.argv.slice(2) });
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

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, "shutting down");
    for (const w of Object.values(cluster.workers ?? {})) w?.kill("SIGTERM");
    await web?.close().catch(() => {});
    await stopJobEngine().catch((err) => logger.error({ err: String(err) }, "job engine stop failed"));
    await usageFolding.stop().catch((err) => logger.error({ err: String(err) }, "usage fold failed"));
    await closeDb();
    await booted.embedded?.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

async function webWorker() {
  const web = await startHttpServer({ dev, port, hostname });
  process.on("SIGTERM", () => {
    void web.close().finally(async () => {
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
