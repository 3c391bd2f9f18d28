import { recordDeadLetter } from "@/lib/jobs/dead-letters";
import { logger } from "@/lib/logger";
import type { AnyWorkflow } from "@/lib/jobs/workflow";
import { eventSchemas } from "./events";
import { inngest } from "./client";

type Retries = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10;

/**
 * Turns an engine-neutral workflow definition into an Inngest function. The handler gets the
 * same step contract as on pg-boss: `step.run` memoizes, `step.sleep` durably waits.
 */
export function toInngestFunction(wf: AnyWorkflow) {
  return inngest.createFunction(
    {
      id: wf.id,
      name: wf.name,
      retries: Math.min(wf.retries, 10) as Retries,
      triggers: [{ event: wf.event }],
      ...concurrencyOf(wf),
      ...(wf.throttle ? { throttle: { key: wf.throttle.key, limit: wf.throttle.limit, period: `${wf.throttle.periodSeconds}s` as const } } : {}),
      onFailure: async ({ event, error, runId }) => {
        const original = (event.data as { event?: { name: string; id?: string; data: Record<string, unknown> } }).event;
        if (!original) return;
        await recordDeadLetter({
          engine: "inngest",
          functionId: wf.id,
          runId,
          event: original,
          error,
          attempts: wf.retries + 1,
        });
      },
    },
    async ({ event, step, attempt, runId }) => {
      const data = eventSchemas[wf.event as keyof typeof eventSchemas].parse(event.data);
      return wf.handler({
        event: { name: wf.event, id: event.id ?? runId, data },
        step: {
          run: (id, fn) => step.run(id, async () => (await fn()) ?? null) as Promise<never>,
          sleep: async (id, ms) => {
            await step.sleep(id, ms);
          },
        },
        attempt,
        runId,
        log: logger.child({ workflow: wf.id, runId }),
      });
    },
  );
}

type ConcurrencyOption = { limit: number; key?: string };

/** The workflow's overall limit and its per-tenant key, as Inngest concurrency constraints. */
export function concurrencyOf(wf: AnyWorkflow): { concurrency?: ConcurrencyOption | [ConcurrencyOption, ConcurrencyOption] } {
  const overall = wf.concurrency ? { limit: wf.concurrency } : undefined;
  const perTenant = wf.tenantConcurrency ? { key: "event.data.tenantId", limit: wf.tenantConcurrency } : undefined;
  if (overall && perTenant) return { concurrency: [overall, perTenant] };
  const one = overall ?? perTenant;
  return one ? { concurrency: one } : {};
}
