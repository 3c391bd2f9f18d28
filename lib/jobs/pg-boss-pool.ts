import type PgBoss from "pg-boss";
import { logger } from "@/lib/logger";

/** A run slot held in delivery_slots (see db/queries/workflow-slots.ts); released by its expiry token. */
export interface HeldSlot {
  key: string;
  holder: string;
  expiresAt: string;
}

export interface PoolOptions<D> {
  boss: PgBoss;
  queue: string;
  /** Runs in flight at once in this process. */
  capacity: number;
  /** A job's run is failed (and retried by pg-boss) when it takes longer than this. */
  timeoutSeconds: number;
  pollingIntervalMs: number;
  /**
   * Takes up to `want` of the workflow's run slots shared by every process (one statement);
   * absent for workflows without a `concurrency` cap.
   */
  takeSlots?: (want: number) => Promise<HeldSlot[]>;
  releaseSlots?: (slots: HeldSlot[]) => Promise<void>;
  run: (job: PgBoss.JobWithMetadata<D>) => Promise<void>;
}

/**
 * One workflow's worker pool on pg-boss: takes as many run slots as it has room for, fetches that
 * many jobs in ONE query, runs them concurrently, and completes the finished ones (and frees their
 * slots) in one statement per round. pg-boss's own `work()` fetches, completes and sleeps per job
 * (or per whole batch, failing all of it when one throws); delivery spent most of its round trips
 * there. A failed run is failed on its own, so pg-boss retries just that job.
 *
 * The loop is a group commit: while a round's statements are in flight, finishing runs queue up
 * and go in the next round, so the batch grows with load and nothing waits when idle.
 */
export class PgBossPool<D extends object> {
  private running = new Set<string>();
  /** Runs that ended well since the last round: completed (and their slots freed) together. */
  private done: { id: string; slot?: HeldSlot }[] = [];
  private stopping = false;
  private wakeUp: (() => void) | undefined;
  private wakeRequested = false;
  private loopDone: Promise<void> | undefined;

  constructor(private readonly opts: PoolOptions<D>) {}

  start(): void {
    this.loopDone = this.loop();
  }

  /** New jobs may be waiting (an enqueue in this process): look now instead of at the next poll. */
  wake(): void {
    this.wakeRequested = true;
    this.wakeUp?.();
  }

  /** Stops fetching; waits up to `timeoutMs` for running jobs, then fails the rest so another worker retries them. */
  async stop(timeoutMs: number): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.loopDone;
    const deadline = Date.now() + timeoutMs;
    while (this.running.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await this.flush();
    if (this.running.size > 0) {
      const left = [...this.running];
      await Promise.all(left.map((id) => this.opts.boss.fail(this.opts.queue, id, { message: "the worker shut down while the job ran" }))).catch((err: unknown) =>
        logger.warn({ err, queue: this.opts.queue }, "could not fail the jobs left at shutdown"),
      );
    }
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.flush();
        const room = this.opts.capacity - this.running.size;
        let fetched = 0;
        if (room > 0) fetched = await this.fetchAndStart(room);
        if (this.done.length > 0) continue;
        // Queue drained (fewer jobs than room): until an enqueue here, a run ends or the next poll.
        // Full: until a run ends (each end wakes the loop).
        await this.sleep(room > 0 && fetched < room ? this.opts.pollingIntervalMs : 60_000);
      } catch (err) {
        logger.error({ err, queue: this.opts.queue }, "job pool round failed; trying again");
        await this.sleep(1000);
      }
    }
  }

  private async fetchAndStart(room: number): Promise<number> {
    let slots: HeldSlot[] | undefined;
    let want = room;
    if (this.opts.takeSlots) {
      slots = await this.opts.takeSlots(room);
      want = slots.length;
      if (want === 0) return 0;
    }
    const jobs = (await this.opts.boss.fetch<D>(this.opts.queue, { batchSize: want, includeMetadata: true })) ?? [];
    // Slots fetched for jobs that were not there go back at once (another process may have work).
    if (slots && jobs.length < slots.length) await this.opts.releaseSlots?.(slots.slice(jobs.length));
    jobs.forEach((job, i) => this.startRun(job, slots?.[i]));
    return jobs.length;
  }

  private startRun(job: PgBoss.JobWithMetadata<D>, slot: HeldSlot | undefined): void {
    this.running.add(job.id);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the run took longer than its ${this.opts.timeoutSeconds} s lease`)), this.opts.timeoutSeconds * 1000);
    });
    const run = this.opts.run(job);
    void Promise.race([run, timeout])
      .then(
        () => {
          this.done.push({ id: job.id, slot });
        },
        async (err: unknown) => {
          await this.opts.boss.fail(this.opts.queue, job.id, err as object).catch((e: unknown) => logger.warn({ err: e, queue: this.opts.queue }, "could not fail a job"));
          // A timed-out run still holds its slot until it really ends (or the slot lapses).
          if (slot) void run.catch(() => undefined).finally(() => this.opts.releaseSlots?.([slot]).catch(() => undefined));
        },
      )
      .finally(() => {
        clearTimeout(timer);
        this.running.delete(job.id);
        this.wake();
      });
  }

  /** Completes the finished jobs and frees their slots: one statement each for the whole round. */
  private async flush(): Promise<void> {
    if (this.done.length === 0) return;
    const batch = this.done.splice(0);
    const slots = batch.flatMap((b) => (b.slot ? [b.slot] : []));
    await Promise.all([
      this.opts.boss.complete(this.opts.queue, batch.map((b) => b.id)),
      slots.length > 0 ? this.opts.releaseSlots?.(slots) : undefined,
    ]).catch((err: unknown) => {
      // Not completed: pg-boss retries them after their lease, and every step is guarded.
      logger.warn({ err, queue: this.opts.queue, jobs: batch.length }, "could not complete finished jobs");
    });
  }

  private sleep(ms: number): Promise<void> {
    if (this.wakeRequested || this.stopping) {
      this.wakeRequested = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.wakeUp = undefined;
        this.wakeRequested = false;
        resolve();
      };
      const t = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}
