import { deliverStep, type AttemptResult } from "@/lib/messaging/delivery";
import { admitDelivery, deferDelivery, releaseDelivery } from "@/lib/messaging/fair-share";
import { defineWorkflow } from "@/lib/jobs/workflow";

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
 * backoff one durable sleep; the happy path is one step (the call, its record, the event publish). Every
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
  handler: async ({ event, step, runId }) => {
    const { tenantId, messageId, deferredSince } = event.data;
    const started = Date.now();
    // Over the tenant's in-flight cap: re-schedule instead of holding a worker.
    const admission = await step.run("admit", () => admitDelivery({ tenantId, messageId }));
    if (admission.kind === "defer") {
      const d = await step.run("defer", () => deferDelivery({ tenantId, messageId, runId, step: "defer", waitMs: admission.waitMs, deferredSince }));
      return { status: "deferred" as const, reason: admission.reason, ...d };
    }
    let cursor = { hop: 0, tryInHop: 0 };
    let result: AttemptResult | undefined;
    for (let n = 1; n <= MAX_ATTEMPTS; n++) {
      const at = cursor;
      if (Date.now() - started + STEP_ALLOWANCE_MS > RUN_BUDGET_MS) throw new DeliveryYield(0);
      result = await step.run(`attempt-${n}`, () => deliverStep({ tenantId, messageId, cursor: at, deferredSince }));
      if (result.kind === "done") break;
      if (result.kind === "defer") {
        const waitMs = result.waitMs;
        const d = await step.run(`defer-${n}`, () => deferDelivery({ tenantId, messageId, runId, step: `defer-${n}`, waitMs, deferredSince }));
        if (admission.slot) await step.run("release", () => releaseDelivery({ tenantId, messageId }));
        return { status: "deferred" as const, reason: result.reason, ...d };
      }
      if (result.waitMs > 0) {
        if (Date.now() - started + result.waitMs + STEP_ALLOWANCE_MS > RUN_BUDGET_MS) throw new DeliveryYield(result.waitMs);
        await step.sleep(`backoff-${n}`, result.waitMs);
      }
      cursor = { hop: result.hop, tryInHop: result.tryInHop };
    }
    if (admission.slot) await step.run("release", () => releaseDelivery({ tenantId, messageId }));
    if (result?.kind !== "done") throw new Error(`delivery of ${messageId} did not finish within ${MAX_ATTEMPTS} attempts`);
    return { status: result.status, eventId: result.eventId, published: result.published ?? null };
  },
});

function positiveEnv(name: string): number | undefined {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : undefined;
}
