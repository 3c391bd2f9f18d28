import type { EventData, EventName } from "@/inngest/events";
import type { Logger } from "@/lib/logger";

/**
 * The step tools a workflow may use. Both engines implement them with the same meaning:
 * a finished step is never run again for the same run, so each side effect sits in its
 * own named step. Step results travel as JSON.
 */
export interface WorkflowStep {
  run<T>(id: string, fn: () => Promise<T> | T): Promise<T>;
  sleep(id: string, ms: number): Promise<void>;
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
  /** How many runs of this workflow one process executes at once (pg-boss) / overall (Inngest). */
  concurrency?: number;
  /**
   * Runs of one tenant (`event.data.tenantId`) in flight at once. Inngest: a concurrency key;
   * pg-boss: the workflow enforces it itself (Postgres slots), the engine can't key its workers.
   */
  tenantConcurrency?: number;
  /** Inngest throttle: at most `limit` run starts per `periodSeconds` per key (an event expression). */
  throttle?: { key: string; limit: number; periodSeconds: number };
  handler: (ctx: WorkflowContext<N>) => Promise<unknown>;
}

export function defineWorkflow<N extends EventName>(def: WorkflowDefinition<N>): WorkflowDefinition<N> {
  return def;
}

export type AnyWorkflow = WorkflowDefinition<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
