import { databaseUrl } from "@/db";
import { logger } from "@/lib/logger";
import type { AnyWorkflow } from "./workflow";
import { engineKind, type EngineKind } from "./engine-kind";
import { startOutboxRelay } from "./outbox-relay";
import { PgBossEngine } from "./pg-boss-engine";

interface RunningEngine {
  kind: EngineKind;
  pgBoss?: PgBossEngine;
  relay: ReturnType<typeof startOutboxRelay>;
}

const key = Symbol.for("herald.jobEngine");
type G = typeof globalThis & { [key]?: RunningEngine };

/**
 * Starts the job engine in this process: pg-boss workers (embedded default) or nothing but the
 * outbox relay feeding Inngest. Called once by the app server and by `npm run worker`.
 */
export async function startJobEngine(opts: { workflows: AnyWorkflow[]; runWorkers: boolean }): Promise<RunningEngine> {
  const g = globalThis as G;
  if (g[key]) return g[key];
  const kind = engineKind();
  let pgBoss: PgBossEngine | undefined;
  let dispatch: Parameters<typeof startOutboxRelay>[0]["dispatch"];
  if (kind === "pg-boss") {
    pgBoss = new PgBossEngine({ connectionString: databaseUrl(), workflows: opts.workflows, runWorkers: opts.runWorkers });
    await pgBoss.start();
    const engine = pgBoss;
    dispatch = (events) => engine.enqueue(events);
  } else {
    const { inngest } = await import("@/inngest/client");
    dispatch = async (events) => {
      await inngest.send(events.map((e) => ({ id: e.id, name: e.name, data: e.payload, ...(e.startAfter ? { ts: e.startAfter.getTime() } : {}) })));
    };
  }
  const relay = startOutboxRelay({ dispatch });
  const running: RunningEngine = { kind, pgBoss, relay };
  g[key] = running;
  logger.info({ engine: kind, workers: opts.runWorkers, workflows: opts.workflows.length }, "job engine started");
  return running;
}

export async function stopJobEngine(): Promise<void> {
  const g = globalThis as G;
  const running = g[key];
  if (!running) return;
  g[key] = undefined;
  await running.relay.stop();
  await running.pgBoss?.stop();
}

export function runningJobEngine(): RunningEngine | undefined {
  return (globalThis as G)[key];
}

/** For /api/health: is the engine this process relies on usable right now? */
export async function jobEngineHealth(): Promise<{ ok: boolean; engine: EngineKind; detail?: string }> {
  const running = runningJobEngine();
  const kind = running?.kind ?? engineKind();
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
