import { databaseUrl } from "@/db";
import { startBrokerOutbox, stopBrokerOutbox } from "@/lib/broker/outbox-publisher";
import { brokerOutboxSources } from "@/lib/broker/outbox-sources";
import { startBusConsumer, stopBusConsumer } from "@/lib/bus/consumer";
import { busIngressEnabled } from "@/lib/bus/settings";
import { brokerConfigured } from "@/lib/messaging/communication-events";
import { startRetentionSchedule } from "@/lib/retention/schedule";
import { logger } from "@/lib/logger";
import type { AnyWorkflow } from "./workflow";
import { engineKind, type EngineKind } from "./engine-kind";
import { startOutboxRelay } from "./outbox-relay";
import { PgBossEngine } from "./pg-boss-engine";

interface RunningEngine {
  kind: EngineKind;
  pgBoss?: PgBossEngine;
  relay?: ReturnType<typeof startOutboxRelay>;
  retention?: ReturnType<typeof startRetentionSchedule>;
}

const key = Symbol.for("herald.jobEngine");
type G = typeof globalThis & { [key]?: RunningEngine };

/**
 * Starts the job engine in this process: pg-boss workers (embedded default) or nothing but the
 * outbox relay feeding Inngest — and the broker outbox publishing to RabbitMQ. Called once by the app server and by `npm run worker`.
 *
 * `drainPgBoss` (`npm run worker -- --drain-pg-boss`, when switching to Inngest): pg-boss workers
 * only, whatever the environment says — no outbox relay (the web tier relays to Inngest now), no
 * retention schedule, and the pg-boss cron schedules removed (Inngest's cron triggers take over).
 */
export async function startJobEngine(opts: { workflows: AnyWorkflow[]; runWorkers: boolean; drainPgBoss?: boolean }): Promise<RunningEngine> {
  const g = globalThis as G;
  if (g[key]) return g[key];
  if (opts.drainPgBoss) {
    const pgBoss = new PgBossEngine({ connectionString: databaseUrl(), workflows: opts.workflows, runWorkers: true, schedules: false });
    await pgBoss.start();
    if (brokerConfigured()) startBrokerOutbox(brokerOutboxSources);
    const running: RunningEngine = { kind: "pg-boss", pgBoss };
    g[key] = running;
    logger.info({ workflows: opts.workflows.length }, "draining pg-boss: running its open jobs, relaying nothing");
    return running;
  }
  const kind = engineKind();
  let pgBoss: PgBossEngine | undefined;
  let dispatch: Parameters<typeof startOutboxRelay>[0]["dispatch"];
  if (kind === "pg-boss") {
    pgBoss = new PgBossEngine({ connectionString: databaseUrl(), workflows: opts.workflows, runWorkers: opts.runWorkers });
    await pgBoss.start();
    const engine = pgBoss;
    dispatch = (events) => engine.enqueue(events);
  } else {
    const { inngest } = await import("./inngest-client");
    dispatch = async (events) => {
      await inngest.send(events.map((e) => ({ id: e.id, name: e.name, data: e.payload, ...(e.startAfter ? { ts: e.startAfter.getTime() } : {}) })));
    };
  }
  const relay = startOutboxRelay({ dispatch });
  // Rows bound for RabbitMQ are published beside the relay, in every process that runs it.
  if (brokerConfigured()) startBrokerOutbox(brokerOutboxSources);
  // Actions from the bus (tenants' bindings) are consumed in the same processes.
  if (brokerConfigured() && busIngressEnabled()) startBusConsumer();
  const retention = startRetentionSchedule();
  const running: RunningEngine = { kind, pgBoss, relay, retention };
  g[key] = running;
  logger.info({ engine: kind, workers: opts.runWorkers, workflows: opts.workflows.length }, "job engine started");
  return running;
}

export async function stopJobEngine(): Promise<void> {
  const g = globalThis as G;
  const running = g[key];
  if (!running) return;
  g[key] = undefined;
  running.retention?.stop();
  await running.relay?.stop();
  await stopBusConsumer();
  await stopBrokerOutbox();
  await running.pgBoss?.stop();
}

export function runningJobEngine(): RunningEngine | undefined {
  return (globalThis as G)[key];
}

/** For /api/health: is the engine this process relies on usable right now? */
export async function jobEngineHealth(): Promise<{ ok: boolean; engine: EngineKind; detail?: string }> {
  const running = runningJobEngine();
  const kind = running?.kind ?? engineKind();
  // A web process forked by HERALD_WEB_CONCURRENCY relies on its primary's engine.
  if (!running && process.env.HERALD_WEB_WORKER === "1") return { ok: true, engine: kind, detail: "runs in the primary process" };
  if (!running) return { ok: false, engine: kind, detail: "job engine not started in this process" };
  if (kind === "pg-boss") {
    try {
      await running.pgBoss!.instance.getQueues();
      return { ok: true, engine: kind };
    } catch (err) {
      return { ok: false, engine: kind, detail: err instanceof Error ? err.message : String(err) };
    }
  }
  return { ok: true, engine: kind };
}
