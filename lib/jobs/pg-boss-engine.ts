import PgBoss from "pg-boss";
import { getDb, withTransientRetry } from "@/db";
import { findStepOutput, insertStepOutput } from "@/db/queries/jobs";
import { releaseWorkflowSlot, takeWorkflowSlot } from "@/db/queries/workflow-slots";
import { emitEvents } from "@/lib/jobs/emit";
import { eventSchemas, type EventName, type HeraldEvent } from "@/lib/jobs/events";
import { logger, withLogContext } from "@/lib/logger";
import { positiveNumberEnv } from "@/lib/env";
import { shutdownTimeoutMs } from "@/lib/server/lifecycle";
import { recordDeadLetter, runFailureHandler } from "./dead-letters";
import { FairPriority } from "./fair-priority";
import { deterministicUuid } from "./run-id";
import type { AnyWorkflow, WorkflowStep } from "./workflow";
import { assertWorkflowSettings, DEFAULT_TIMEOUT_SECONDS } from "./workflow-settings";

interface JobData {
  event: { name: EventName; id: string; data: Record<string, unknown> };
  /**
   * Set on a continuation: a run that found no free concurrency slot goes back to the queue as
   * a new job that keeps the run's id (its memoised steps) and the attempts it already used.
   */
  run?: { id: string; attemptsUsed: number; waits: number };
}

/** How long a run that found no free slot waits before it looks again (jittered). */
const SLOT_WAIT_MS = 250;

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
    private readonly opts: {
      connectionString: string;
      workflows: AnyWorkflow[];
      runWorkers: boolean;
      /** false: drop the cron schedules instead of keeping them (draining pg-boss before a switch to Inngest). */
      schedules?: boolean;
    },
  ) {
    this.boss = new PgBoss({
      connectionString: opts.connectionString,
      schema: "pgboss",
      // pg-boss's own pool, beside DATABASE_POOL_SIZE (README → Running in production).
      max: positiveNumberEnv("HERALD_JOBS_POOL_SIZE", 10),
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
    assertWorkflowSettings(this.opts.workflows, "pg-boss");
    await this.boss.start();
    for (const wf of this.opts.workflows) {
      // Processes starting together on a new database create the same queues at once, and
      // pg-boss's DDL for that can deadlock: the loser tries again.
      await withTransientRetry(() =>
        this.boss.createQueue(wf.id, {
          name: wf.id,
          retryLimit: wf.retries,
          retryDelay: 1,
          retryBackoff: true,
          expireInSeconds: wf.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
        }),
        8,
      );
      // pg-boss keeps one schedule per queue and sends its job from one instance only.
      if (wf.cron && this.opts.schedules === false) await withTransientRetry(() => this.boss.unschedule(wf.id));
      else if (wf.cron) {
        const cron = wf.cron;
        await withTransientRetry(() => this.boss.schedule(wf.id, cron, { event: { name: wf.event, id: `cron:${wf.id}`, data: {} } } satisfies JobData, { tz: "UTC" }));
      }
      if (this.opts.runWorkers) await this.startWorkers(wf);
    }
    this.started = true;
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    // Running jobs get the shutdown timeout; pg-boss then fails what is left, and another worker retries it.
    await this.boss.stop({ graceful: true, close: true, timeout: shutdownTimeoutMs() });
  }

  /** Jobs still to run or running (queued, waiting for a retry or a start time, active), over every workflow. */
  async openJobs(): Promise<number> {
    let n = 0;
    for (const wf of this.opts.workflows) n += (await this.boss.getQueueSize(wf.id, { before: "completed" })) ?? 0;
    return n;
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
          expireInSeconds: wf.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
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
          for (const job of jobs) await this.runJob(wf, job, i);
          // pg-boss sleeps a whole polling interval after every fetch unless notified: while
          // there is work, fetch again at once (else a worker does ~2 jobs/s).
          if (jobs.length > 0 && worker.id) this.boss.notifyWorker(worker.id);
        },
      );
      ids.push(worker.id);
    }
    this.workerIds.set(wf.id, ids);
  }

  /** `loop`: which of this process's worker loops runs it (its preferred concurrency slot). */
  private async runJob(wf: AnyWorkflow, job: PgBoss.JobWithMetadata<JobData>, loop: number): Promise<void> {
    const { event } = job.data;
    const runId = job.data.run?.id ?? job.id;
    const attempt = (job.data.run?.attemptsUsed ?? 0) + job.retryCount;
    const parsed = eventSchemas[event.name]?.safeParse(event.data);
    if (!parsed?.success) {
      // A malformed event can never succeed: dead-letter it now instead of burning retries.
      await recordDeadLetter({
        engine: "pg-boss",
        functionId: wf.id,
        runId,
        event,
        error: new Error(`invalid event payload for ${event.name}`),
        attempts: attempt + 1,
      });
      return;
    }
    const tenantId = typeof event.data.tenantId === "string" ? event.data.tenantId : undefined;
    const slots = await this.takeSlots(wf, tenantId, loop);
    if (!slots) {
      await this.continueLater(wf, job, runId, attempt);
      return;
    }
    const ctxEvent = { name: event.name, id: event.id, data: parsed.data };
    try {
      await withLogContext({ runId, tenantId }, () =>
        wf.handler({ event: ctxEvent, step: memoizedStep(runId), attempt, runId, log: logger.child({ workflow: wf.id }) }),
      );
    } catch (err) {
      if (job.retryCount >= job.retryLimit) {
        await runFailureHandler(wf, { event: ctxEvent, error: err, runId, attempts: attempt + 1 });
        await recordDeadLetter({ engine: "pg-boss", functionId: wf.id, runId, event, error: err, attempts: attempt + 1 });
      } else {
        logger.warn({ workflow: wf.id, runId, attempt, err }, "workflow attempt failed; will retry");
      }
      throw err;
    } finally {
      // Released however the run ended; a worker that died leaves them to lapse with the lease.
      for (const slot of slots) await releaseWorkflowSlot(getDb(), slot).catch((err) => logger.warn({ err, workflow: wf.id }, "could not release a run slot"));
    }
  }

  /**
   * The run's slots: one of the workflow's `concurrency` and one of the tenant's
   * `tenantConcurrency`, shared by every process. Null when either is full (nothing is held then).
   */
  private async takeSlots(wf: AnyWorkflow, tenantId: string | undefined, loop: number) {
    const ttlSeconds = wf.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    const wanted = [
      ...(wf.concurrency ? [{ key: `workflow:${wf.id}`, limit: wf.concurrency, preferred: loop }] : []),
      ...(wf.tenantConcurrency && tenantId ? [{ key: `workflow:${wf.id}:tenant:${tenantId}`, limit: wf.tenantConcurrency }] : []),
    ];
    const held: { key: string; holder: string; expiresAt: string }[] = [];
    for (const w of wanted) {
      let slot: { holder: string; expiresAt: string } | undefined;
      // A miss can be a collision on the same free number: look twice more before giving up.
      for (let i = 0; i < 3 && !slot; i++) slot = await takeWorkflowSlot(getDb(), { ...w, ttlSeconds });
      if (!slot) {
        for (const h of held) await releaseWorkflowSlot(getDb(), h);
        return null;
      }
      held.push({ key: w.key, ...slot });
    }
    return held;
  }

  /** Puts a run that found its slots full back in the queue, as the same run, without spending an attempt. */
  private async continueLater(wf: AnyWorkflow, job: PgBoss.JobWithMetadata<JobData>, runId: string, attempt: number): Promise<void> {
    const waits = (job.data.run?.waits ?? 0) + 1;
    await this.boss.insert([
      {
        id: deterministicUuid(runId, "slot-wait", String(attempt), String(waits)),
        name: wf.id,
        data: { event: job.data.event, run: { id: runId, attemptsUsed: attempt, waits } },
        retryLimit: Math.max(0, job.retryLimit - job.retryCount),
        retryDelay: 1,
        retryBackoff: true,
        expireInSeconds: wf.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
        priority: job.priority,
        startAfter: new Date(Date.now() + Math.round(SLOT_WAIT_MS * (0.5 + Math.random()))),
      },
    ]);
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
    async sendEvent(stepId: string, events: HeraldEvent[]): Promise<void> {
      await this.run(`${stepId}:send`, async () => {
        await emitEvents(getDb(), events.map((e) => ({ name: e.name, data: e.data as Record<string, unknown>, id: e.id, tenantId: tenantOf(e) })));
        return events.length;
      });
    },
  };
}

function tenantOf(e: HeraldEvent): string | null {
  const t = (e.data as { tenantId?: unknown }).tenantId;
  return typeof t === "string" ? t : null;
}
