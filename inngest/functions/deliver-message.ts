import { errorText } from "@/lib/logger";
import { deliverStep, failMessageForGood, type AttemptResult } from "@/lib/messaging/delivery";
import { admitDelivery, deferDelivery, releaseDelivery } from "@/lib/messaging/fair-share";
import { defineWorkflow, type WorkflowContext } from "@/lib/jobs/workflow";

/** pg-boss lease: a run whose worker died is picked up again after this (plus ≤ 30 s maintenance). */
export const DELIVERY_LEASE_SECONDS = 60;
/** A run yields (and is resumed by a retry, skipping finished steps) before its lease can run out. */
const RUN_BUDGET_MS = 40_000;
/** Worst case for one provider call step: the adapter timeout plus local queueing. */
const STEP_ALLOWANCE_MS = 12_000;
/** Upper bound on steps: route hops × attempts per hop is far below this. */
const MAX_ATTEMPTS = 60;

class DeliveryYield extends Error {
  constructor(public readonly waitMs: number) {
    super(`delivery yields before a ${waitMs} ms wait to stay inside its ${DELIVERY_LEASE_SECONDS} s lease; it resumes on retry`);
    this.name = "DeliveryYield";
  }
}

/**
 * DeliverMessage: walks the message's route. Each provider call is one step (`attempt-N`), each
 * backoff one durable sleep; the happy path is one step (the call and its record; the event is the
 * broker outbox's to publish). Every
 * step re-reads the message, so a re-run — a retry, a lease-expired pg-boss job, a duplicate
 * event — does nothing to a message that is already sent or failed.
 */
export const deliverMessage = defineWorkflow({
  id: "deliver-message",
  name: "DeliverMessage",
  event: "herald/message.queued",
  // Retries are for crashes, yields and infrastructure errors; provider errors are handled inside.
  retries: 20,
  concurrency: Math.max(1, Number(process.env.HERALD_DELIVERY_CONCURRENCY) || 32),
  timeoutSeconds: DELIVERY_LEASE_SECONDS,
  // Inngest: the same per-tenant cap as a concurrency key, and the tenant's fair share of starts.
  tenantConcurrency: positiveEnv("HERALD_TENANT_MAX_CONCURRENCY"),
  throttle: positiveEnv("HERALD_TENANT_DELIVERIES_PER_SECOND")
    ? { key: "event.data.tenantId", limit: positiveEnv("HERALD_TENANT_DELIVERIES_PER_SECOND")!, periodSeconds: 1 }
    : undefined,
  handler: deliverMessageRun,
  onFailure: failDeliveryForGood,
});

/** One delivery run; shared with the priority lane's workflow (deliver-priority-message). */
export async function deliverMessageRun<N extends "herald/message.queued" | "herald/message.priority-queued">({ event, step, runId }: WorkflowContext<N>) {
  const { tenantId, messageId, deferredSince, lane } = event.data;
  const started = Date.now();
  // Over the tenant's in-flight cap: re-schedule instead of holding a worker. Deliberately not
  // a step: the slot is released in `finally` however the attempt ends (a throw, a yield), so
  // each attempt takes it afresh rather than trust a memoised admission. (On Inngest it holds
  // no slot and answers at once: the concurrency key does the limiting.)
  const admission = await admitDelivery({ tenantId, messageId, lane });
  if (admission.kind === "defer") {
    const d = await step.run("defer", () => deferDelivery({ tenantId, messageId, runId, step: "defer", waitMs: admission.waitMs, deferredSince, lane }));
    return { status: "deferred" as const, reason: admission.reason, ...d };
  }
  try {
    let cursor = { hop: 0, tryInHop: 0 };
    let result: AttemptResult | undefined;
    for (let n = 1; n <= MAX_ATTEMPTS; n++) {
      const at = cursor;
      if (Date.now() - started + STEP_ALLOWANCE_MS > RUN_BUDGET_MS) throw new DeliveryYield(0);
      // A finished message guards its own re-run (the row is terminal): only the cursor of an
      // unfinished attempt must be memoised, so a re-run never repeats a provider call.
      result = await step.run(`attempt-${n}`, () => deliverStep({ tenantId, messageId, cursor: at, deferredSince }), { recordedInState: (r) => r.kind === "done" });
      if (result.kind === "done") break;
      if (result.kind === "defer") {
        const waitMs = result.waitMs;
        const d = await step.run(`defer-${n}`, () => deferDelivery({ tenantId, messageId, runId, step: `defer-${n}`, waitMs, deferredSince, lane }));
        return { status: "deferred" as const, reason: result.reason, ...d };
      }
      if (result.waitMs > 0) {
        if (Date.now() - started + result.waitMs + STEP_ALLOWANCE_MS > RUN_BUDGET_MS) throw new DeliveryYield(result.waitMs);
        await step.sleep(`backoff-${n}`, result.waitMs);
      }
      cursor = { hop: result.hop, tryInHop: result.tryInHop };
    }
    if (result?.kind !== "done") throw new Error(`delivery of ${messageId} did not finish within ${MAX_ATTEMPTS} attempts`);
    return { status: result.status, eventId: result.eventId };
  } finally {
    // Not a step: it must run on the throwing path too, and releasing twice is harmless.
    if (admission.slot) await releaseDelivery({ tenantId, messageId });
  }
}

/**
 * Retries exhausted (Herald's own trouble, not a provider's): the message ends failed with
 * COMM_INTERNAL and its communication.failed.v1 is written once, in the terminal transaction.
 * Shared with the priority lane.
 */
export async function failDeliveryForGood({ event, error, attempts }: { event: { data: { tenantId: string; messageId: string } }; error: unknown; attempts: number }) {
  await releaseDelivery({ tenantId: event.data.tenantId, messageId: event.data.messageId });
  return failMessageForGood({
    tenantId: event.data.tenantId,
    messageId: event.data.messageId,
    reason: `Delivery stopped after ${attempts} attempts of its workflow run: ${errorText(error)}`,
  });
}

export function positiveEnv(name: string): number | undefined {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : undefined;
}
