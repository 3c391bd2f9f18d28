import PgBoss from "pg-boss";
import { getDb, withTransientRetry } from "@/db";
import { findStepOutput, insertStepOutput } from "@/db/queries/jobs";
import { releaseWorkflowSlot, releaseWorkflowSlots, takeWorkflowSlot, takeWorkflowSlots } from "@/db/queries/workflow-slots";
import { emitEvents } from "@/lib/jobs/emit";
import { eventSchemas, type EventName, type HeraldEvent } from "@/lib/jobs/events";
import { logger, withLogContext } from "@/lib/logger";
import { positiveNumberEnv } from "@/lib/env";
import { shutdownTimeoutMs } from "@/lib/server/lifecycle";
import { recordDeadLetter, runFailureHandler } from "./dead-letters";
import { FairPriority } from "./fair-priority";
import { PgBossPool } from "./pg-boss-pool";
import { deterministicUuid } from "./run-id";
import type { AnyWorkflow, StepOptions, WorkflowStep } from "./workflow";
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
  private pools = new Map<string, PgBossPool<JobData>>();
  private started = false;
  /** Per-tenant round-robin ordering; HERALD_FAIR_PRIORITY=0 turns it off (plain FIFO), e.g. to compare in bench:fairness. */
  private fair = process.env.HERALD_FAIR_PRIORITY === "0" ? null : new FairPriority();
  /** Where this process starts looking among a workflow's numbered slots, so processes rarely pick the same ones. */
  private slotOffset = Math.floor(Math.random() * 1_000_000);

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
    // Running jobs get the shutdown timeout; what is left is failed, and another worker retries it.
    await Promise.all([...this.pools.values()].map((p) => p.stop(shutdownTimeoutMs())));
    this.pools.clear();
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
    for (const name of touched) this.pools.get(name)?.wake();
  }

  private async startWorkers(wf: AnyWorkflow): Promise<void> {
    const ttlSeconds = wf.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    const key = `workflow:${wf.id}`;
    const concurrency = wf.concurrency;
    const pool = new PgBossPool<JobData>({
      boss: this.boss,
      queue: wf.id,
      capacity: Math.max(1, concurrency ?? 4),
      timeoutSeconds: ttlSeconds,
      pollingIntervalMs: 500,
      // `concurrency` holds across processes: a job is fetched only with one of the shared slots.
      ...(concurrency
        ? {
            takeSlots: (want: number) => takeWorkflowSlots(getDb(), { key, limit: concurrency, want, ttlSeconds, offset: this.slotOffset }),
            releaseSlots: (slots) => releaseWorkflowSlots(getDb(), slots),
          }
        : {}),
      run: (job) => this.runJob(wf, job),
    });
    this.pools.set(wf.id, pool);
    pool.start();
  }

  private async runJob(wf: AnyWorkflow, job: PgBoss.JobWithMetadata<JobData>): Promise<void> {
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
    const slots = await this.takeTenantSlot(wf, tenantId);
    if (!slots) {
      await this.continueLater(wf, job, runId, attempt);
      return;
    }
    const ctxEvent = { name: event.name, id: event.id, data: parsed.data };
    try {
      await withLogContext({ runId, tenantId }, () =>
        // A first try of a new run has no memoised steps to find: it skips the lookups.
        wf.handler({ event: ctxEvent, step: memoizedStep(runId, attempt === 0 && !job.data.run), attempt, runId, log: logger.child({ workflow: wf.id }) }),
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
   * The run's slot among the tenant's `tenantConcurrency`, shared by every process (the
   * workflow-wide slot came with the job, from the pool). Null when full (nothing is held then).
   */
  private async takeTenantSlot(wf: AnyWorkflow, tenantId: string | undefined) {
    if (!wf.tenantConcurrency || !tenantId) return [];
    const key = `workflow:${wf.id}:tenant:${tenantId}`;
    const ttlSeconds = wf.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    let slot: { holder: string; expiresAt: string } | undefined;
    // A miss can be a collision on the same free number: look twice more before giving up.
    for (let i = 0; i < 3 && !slot; i++) slot = await takeWorkflowSlot(getDb(), { key, limit: wf.tenantConcurrency, ttlSeconds });
    return slot ? [{ key, ...slot }] : null;
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

/**
 * `fresh`: the run's first try (no earlier attempt, not a continuation). Nothing can be memoised
 * for it yet, so its steps don't look. (A job whose worker died comes back as a retry.)
 */
function memoizedStep(runId: string, fresh: boolean): WorkflowStep {
  return {
    async run<T>(stepId: string, fn: () => Promise<T> | T, opts?: StepOptions<T>): Promise<T> {
      const db = getDb();
      if (!fresh) {
        const done = await findStepOutput(db, { runId, stepId });
        if (done) return (done.output as { v: T } | null)?.v as T;
      }
      const value = await fn();
      // Round-trip through JSON so both engines hand the workflow the same shapes.
      const json = value === undefined ? null : JSON.parse(JSON.stringify(value));
      if (!opts?.recordedInState?.(json as T)) await insertStepOutput(db, { runId, stepId, output: { v: json } });
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
