import type { EventData, EventName, HeraldEvent } from "@/lib/jobs/events";
import type { Logger } from "@/lib/logger";

/**
 * The step tools a workflow may use. Both engines implement them with the same meaning:
 * a finished step is never run again for the same run, so each side effect sits in its
 * own named step. Step results travel as JSON.
 */
export interface WorkflowStep {
  run<T>(id: string, fn: () => Promise<T> | T, opts?: StepOptions<T>): Promise<T>;
  sleep(id: string, ms: number): Promise<void>;
  /**
   * Emits events as one step (a fan-out): Inngest's `step.sendEvent`; on pg-boss the events go
   * through the outbox in one insert. Give each event an `id`: both engines drop a second event
   * with the same id, so a re-run of the step (or of the whole run) emits nothing new.
   */
  sendEvent(id: string, events: HeraldEvent[]): Promise<void>;
}

export interface StepOptions<T> {
  /**
   * True when this result is already recorded in state that makes running the step again a no-op
   * (a terminal message row): pg-boss then writes no memo for it, a round trip saved per run.
   * Inngest memoises every step regardless.
   */
  recordedInState?: (value: T) => boolean;
}

export interface WorkflowContext<N extends EventName> {
  event: { name: N; data: EventData<N>; id: string };
  step: WorkflowStep;
  /** 0 on the first try, then 1, 2, … */
  attempt: number;
  runId: string;
  log: Logger;
}

export interface WorkflowDefinition<N extends EventName = EventName> {
  id: string;
  name: string;
  event: N;
  /** Retries after the first attempt (exponential backoff on both engines). */
  retries: number;
  /** Per-run lease on pg-boss: a run whose worker died is retried after this long. */
  timeoutSeconds?: number;
  /** Runs of this workflow in flight at once across all processes, on both engines (see workflow-settings.ts). */
  concurrency?: number;
  /** Runs of one tenant (`event.data.tenantId`) in flight at once. Inngest: a concurrency key; pg-boss: Postgres slots per tenant. */
  tenantConcurrency?: number;
  /** Also run on this cron schedule (UTC), once across processes; the event then carries `{}`. */
  cron?: string;
  /** Inngest throttle: at most `limit` run starts per `periodSeconds` per key (an event expression). Refused on pg-boss. */
  throttle?: { key: string; limit: number; periodSeconds: number };
  handler: (ctx: WorkflowContext<N>) => Promise<unknown>;
  /**
   * Runs once when a run has failed for good (its last retry threw): moves the run's subject to
   * a terminal state the tenant can see (a message → failed, a delivery → exhausted, a call
   * event → dead-lettered). pg-boss calls it after the last attempt, Inngest binds it as the
   * function's `onFailure`; a run the engine gave up on without calling it (a worker killed on
   * its last attempt) is resolved the same way by the stuck-work sweeper. Must be idempotent:
   * it can run again after a crash, and races the sweeper.
   */
  onFailure: (ctx: WorkflowFailureContext<N>) => Promise<unknown>;
}

export interface WorkflowFailureContext<N extends EventName> {
  event: { name: N; data: EventData<N>; id: string };
  error: unknown;
  runId: string;
  /** Attempts made: retries + 1. */
  attempts: number;
  log: Logger;
}

/** For workflows whose job dead letter is itself the visible terminal state (nothing else to resolve). */
export const deadLetterIsTerminal = async () => undefined;

export function defineWorkflow<N extends EventName>(def: WorkflowDefinition<N>): WorkflowDefinition<N> {
  return def;
}

export type AnyWorkflow = WorkflowDefinition<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
