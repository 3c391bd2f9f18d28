import { recordDeadLetter, runFailureHandler } from "@/lib/jobs/dead-letters";
import { logger } from "@/lib/logger";
import type { AnyWorkflow } from "@/lib/jobs/workflow";
import { assertWorkflowSettings } from "@/lib/jobs/workflow-settings";
import { eventSchemas } from "@/lib/jobs/events";
import { inngest } from "@/lib/jobs/inngest-client";

type Retries = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15 | 16 | 17 | 18 | 19 | 20;

/**
 * Turns an engine-neutral workflow definition into an Inngest function. The handler gets the
 * same step contract as on pg-boss: `step.run` memoizes, `step.sleep` durably waits.
 */
export function toInngestFunction(wf: AnyWorkflow) {
  // The same settings the pg-boss engine checks: a value Inngest can't honour is refused, never clamped.
  assertWorkflowSettings([wf], "inngest");
  return inngest.createFunction(
    {
      id: wf.id,
      name: wf.name,
      retries: wf.retries as Retries,
      triggers: wf.cron ? [{ event: wf.event }, { cron: `TZ=UTC ${wf.cron}` }] : [{ event: wf.event }],
      ...concurrencyOf(wf),
      ...(wf.throttle ? { throttle: { key: wf.throttle.key, limit: wf.throttle.limit, period: `${wf.throttle.periodSeconds}s` as const } } : {}),
      onFailure: async ({ event, error: thrown, runId }) => {
        const failed = event.data as { event?: { name: string; id?: string; data: Record<string, unknown> }; error?: unknown };
        const original = failed.event;
        if (!original) return;
        const error = thrown ?? failed.error;
        const parsed = eventSchemas[wf.event as keyof typeof eventSchemas].safeParse(original.data);
        if (parsed.success) {
          await runFailureHandler(wf, { event: { name: wf.event, id: original.id ?? runId, data: parsed.data }, error, runId, attempts: wf.retries + 1 });
        }
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
      // A cron start carries Inngest's own event; the workflow sees `{}` as on pg-boss.
      const data = eventSchemas[wf.event as keyof typeof eventSchemas].parse(event.name === wf.event ? event.data : {});
      return wf.handler({
        event: { name: wf.event, id: event.id ?? runId, data },
        step: {
          run: (id, fn) => step.run(id, async () => (await fn()) ?? null) as Promise<never>,
          sleep: async (id, ms) => {
            await step.sleep(id, ms);
          },
          sendEvent: async (id, events) => {
            if (events.length === 0) return;
            // Validated here as the outbox validates them on pg-boss; Inngest drops a repeated event id.
            await step.sendEvent(id, events.map((e) => ({ name: e.name, data: eventSchemas[e.name].parse(e.data) as Record<string, unknown>, ...(e.id ? { id: e.id } : {}) })));
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
