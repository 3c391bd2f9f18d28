import PgBoss from "pg-boss";
import { getDb } from "@/db";
import { findStepOutput, insertStepOutput } from "@/db/queries/jobs";
import { eventSchemas, type EventName } from "@/inngest/events";
import { logger, withLogContext } from "@/lib/logger";
import { recordDeadLetter } from "./dead-letters";
import { FairPriority } from "./fair-priority";
import { deterministicUuid } from "./run-id";
import type { AnyWorkflow, WorkflowStep } from "./workflow";

interface JobData {
  event: { name: EventName; id: string; data: Record<string, unknown> };
}

export interface RelayedEvent {
  id: string;
  name: string;
  payload: Record<string, unknown>;
  /** Not before this time (a scheduled retry); null/absent = now. */
  startAfter?: Date | null;
}

/** Inline sleeps beyond this would hold a worker slot too long; workflows schedule instead. */
const MAX_INLINE_SLEEP_MS = 60_000;

/**
 * Runs the workflow definitions on pg-boss inside this process. Steps are memoized in
 * job_steps by job id, so a retried or lease-expired job skips the steps that finished —
 * the same contract Inngest gives.
 */
export class PgBossEngine {
  private boss: PgBoss;
  private byEvent = new Map<string, AnyWorkflow[]>();
  private workerIds = new Map<string, string[]>();
  private started = false;
  /** Per-tenant round-robin ordering; HERALD_FAIR_PRIORITY=0 turns it off (plain FIFO), e.g. to compare in bench:fairness. */
  private fair = process.env.HERALD_FAIR_PRIORITY === "0" ? null : new FairPriority();

  constructor(
    private readonly opts: { connectionString: string; workflows: AnyWorkflow[]; runWorkers: boolean },
  ) {
    this.boss = new PgBoss({
      connectionString: opts.connectionString,
      schema: "pgboss",
      max: 10,
      application_name: "herald-jobs",
      // Short maintenance interval so runs whose worker died are noticed within a minute.
      maintenanceIntervalSeconds: 30,
    });
    this.boss.on("error", (err) => logger.error({ err }, "pg-boss error"));
    for (const wf of opts.workflows) {
      const list = this.byEvent.get(wf.event) ?? [];
      list.push(wf);
      this.byEvent.set(wf.event, list);
    }
  }

  get instance(): PgBoss {
    return this.boss;
  }

  async start(): Promise<void> {
    if (this.started) return;
    await this.boss.start();
    for (const wf of this.opts.workflows) {
      await this.boss.createQueue(wf.id, {
        name: wf.id,
        retryLimit: wf.retries,
        retryDelay: 1,
        retryBackoff: true,
        expireInSeconds: wf.timeoutSeconds ?? 300,
      });
      if (this.opts.runWorkers) await this.startWorkers(wf);
    }
    this.started = true;
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.boss.stop({ graceful: true, close: true, timeout: 10_000 });
  }

  /** Turns relayed outbox rows into one job per subscribed workflow (idempotent by job id). */
  async enqueue(events: RelayedEvent[]): Promise<void> {
    const jobs: PgBoss.JobInsert<JobData>[] = [];
    const touched = new Set<string>();
    for (const e of events) {
      for (const wf of this.byEvent.get(e.name) ?? []) {
        jobs.push({
          id: deterministicUuid(e.id, wf.id),
          name: wf.id,
          data: { event: { name: e.name as EventName, id: e.id, data: e.payload } },
          retryLimit: wf.retries,
          retryDelay: 1,
          retryBackoff: true,
          expireInSeconds: wf.timeoutSeconds ?? 300,
          priority: this.fair?.next(wf.id, typeof e.payload.tenantId === "string" ? e.payload.tenantId : undefined) ?? 0,
          ...(e.startAfter ? { startAfter: e.startAfter } : {}),
        });
        touched.add(wf.id);
      }
    }
    if (jobs.length === 0) return;
    await this.boss.insert(jobs);
    for (const name of touched) for (const id of this.workerIds.get(name) ?? []) this.boss.notifyWorker(id);
  }

  private async startWorkers(wf: AnyWorkflow): Promise<void> {
    const ids: string[] = [];
    const loops = Math.max(1, wf.concurrency ?? 4);
    for (let i = 0; i < loops; i++) {
      // Set once work() resolves; the handler can in principle run before that.
      const worker: { id?: string } = {};
      worker.id = await this.boss.work<JobData>(
        wf.id,
        { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: 0.5 },
        async (jobs) => {
          for (const job of jobs) await this.runJob(wf, job);
          // pg-boss sleeps a whole polling interval after every fetch unless notified: while
          // there is work, fetch again at once (else a worker does ~2 jobs/s).
          if (jobs.length > 0 && worker.id) this.boss.notifyWorker(worker.id);
        },
      );
      ids.push(worker.id);
    }
    this.workerIds.set(wf.id, ids);
  }

  private async runJob(wf: AnyWorkflow, job: PgBoss.JobWithMetadata<JobData>): Promise<void> {
    const { event } = job.data;
    const parsed = eventSchemas[event.name]?.safeParse(event.data);
    if (!parsed?.success) {
      // A malformed event can never succeed: dead-letter it now instead of burning retries.
      await recordDeadLetter({
        engine: "pg-boss",
        functionId: wf.id,
        runId: job.id,
        event,
        error: new Error(`invalid event payload for ${event.name}`),
        attempts: job.retryCount + 1,
      });
      return;
    }
    const tenantId = typeof event.data.tenantId === "string" ? event.data.tenantId : undefined;
    try {
      await withLogContext({ runId: job.id, tenantId }, () =>
        wf.handler({
          event: { name: event.name, id: event.id, data: parsed.data },
          step: memoizedStep(job.id),
          attempt: job.retryCount,
          runId: job.id,
          log: logger.child({ workflow: wf.id }),
        }),
      );
    } catch (err) {
      if (job.retryCount >= job.retryLimit) {
        await recordDeadLetter({
          engine: "pg-boss",
          functionId: wf.id,
          runId: job.id,
          event,
          error: err,
          attempts: job.retryCount + 1,
        });
      } else {
        logger.warn(
          { workflow: wf.id, runId: job.id, attempt: job.retryCount, err: err instanceof Error ? err.message : String(err) },
          "workflow attempt failed; will retry",
        );
      }
      throw err;
    }
  }
}

function memoizedStep(runId: string): WorkflowStep {
  return {
    async run<T>(stepId: string, fn: () => Promise<T> | T): Promise<T> {
      const db = getDb();
      const done = await findStepOutput(db, { runId, stepId });
      if (done) return (done.output as { v: T } | null)?.v as T;
      const value = await fn();
      // Round-trip through JSON so both engines hand the workflow the same shapes.
      const json = value === undefined ? null : JSON.parse(JSON.stringify(value));
      await insertStepOutput(db, { runId, stepId, output: { v: json } });
      return json as T;
    },
    async sleep(stepId: string, ms: number): Promise<void> {
      await this.run(`${stepId}:sleep`, async () => {
        await new Promise((r) => setTimeout(r, Math.min(ms, MAX_INLINE_SLEEP_MS)));
        return true;
      });
    },
  };
}
