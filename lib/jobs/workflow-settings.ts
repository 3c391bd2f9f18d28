// What each workflow setting promises, checked once at start-up against the engine that will run it.
import type { EngineKind } from "./engine-kind";
import type { AnyWorkflow } from "./workflow";

/** Inngest's ceiling for `retries`; pg-boss is held to the same so a workflow means the same on both. */
export const MAX_RETRIES = 20;
/** pg-boss lease when a workflow names none. */
export const DEFAULT_TIMEOUT_SECONDS = 300;

export class WorkflowSettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Workflow settings this job engine cannot honour:\n- ${problems.join("\n- ")}`);
    this.name = "WorkflowSettingsError";
  }
}

const positiveInt = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v > 0;

/**
 * Every setting means the same on both engines, or the engine refuses to start:
 * - `retries` (0–20): retries after the first attempt, exponential backoff; the run's dead letter
 *   and `onFailure` come after attempt `retries + 1` on both.
 * - `concurrency`: runs of the workflow in flight at once across all processes (Inngest: a
 *   function concurrency limit; pg-boss: numbered Postgres slots shared by every worker process).
 * - `tenantConcurrency`: runs per `event.data.tenantId` (Inngest: a keyed concurrency limit;
 *   pg-boss: Postgres slots per tenant, taken by the engine the same way).
 * - `timeoutSeconds`: the pg-boss lease after which a run whose worker died is retried. Inngest
 *   has no lease (a step whose request died is retried by Inngest itself), so it needs none.
 * - `throttle`: Inngest only; pg-boss has no rate-limited start, so a throttle is refused there
 *   (use the tenant send quota or a config's send rate, which both engines enforce).
 * - `cron`: run on this schedule, once across processes (pg-boss schedule / Inngest cron trigger).
 */
export function workflowSettingProblems(workflows: AnyWorkflow[], engine: EngineKind): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const wf of workflows) {
    if (ids.has(wf.id)) problems.push(`${wf.id}: two workflows share this id`);
    ids.add(wf.id);
    if (!Number.isInteger(wf.retries) || wf.retries < 0 || wf.retries > MAX_RETRIES) {
      problems.push(`${wf.id}: retries must be an integer from 0 to ${MAX_RETRIES} (Inngest's limit), got ${wf.retries}`);
    }
    if (wf.concurrency !== undefined && !positiveInt(wf.concurrency)) problems.push(`${wf.id}: concurrency must be a positive integer, got ${wf.concurrency}`);
    if (wf.tenantConcurrency !== undefined && !positiveInt(wf.tenantConcurrency)) {
      problems.push(`${wf.id}: tenantConcurrency must be a positive integer, got ${wf.tenantConcurrency}`);
    }
    if (wf.timeoutSeconds !== undefined && !positiveInt(wf.timeoutSeconds)) problems.push(`${wf.id}: timeoutSeconds must be a positive integer, got ${wf.timeoutSeconds}`);
    if (typeof wf.onFailure !== "function") problems.push(`${wf.id}: has no onFailure (every workflow must say how its subject ends when the run fails for good)`);
    if (wf.throttle && engine === "pg-boss") {
      problems.push(
        `${wf.id}: a throttle (${wf.throttle.limit} starts per ${wf.throttle.periodSeconds} s per ${wf.throttle.key}) is Inngest-only; pg-boss cannot honour it — unset it (for deliveries: HERALD_TENANT_DELIVERIES_PER_SECOND) or run on Inngest`,
      );
    }
  }
  return problems;
}

export function assertWorkflowSettings(workflows: AnyWorkflow[], engine: EngineKind): void {
  const problems = workflowSettingProblems(workflows, engine);
  if (problems.length > 0) throw new WorkflowSettingsError(problems);
}
