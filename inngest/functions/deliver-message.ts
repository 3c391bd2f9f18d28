import { deliverStep, type AttemptResult } from "@/lib/messaging/delivery";
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
  handler: async ({ event, step }) => {
    const { tenantId, messageId } = event.data;
    const started = Date.now();
    let cursor = { hop: 0, tryInHop: 0 };
    let result: AttemptResult | undefined;
    for (let n = 1; n <= MAX_ATTEMPTS; n++) {
      const at = cursor;
      if (Date.now() - started + STEP_ALLOWANCE_MS > RUN_BUDGET_MS) throw new DeliveryYield(0);
      result = await step.run(`attempt-${n}`, () => deliverStep({ tenantId, messageId, cursor: at }));
      if (result.kind === "done") break;
      if (result.waitMs > 0) {
        if (Date.now() - started + result.waitMs + STEP_ALLOWANCE_MS > RUN_BUDGET_MS) throw new DeliveryYield(result.waitMs);
        await step.sleep(`backoff-${n}`, result.waitMs);
      }
      cursor = { hop: result.hop, tryInHop: result.tryInHop };
    }
    if (result?.kind !== "done") throw new Error(`delivery of ${messageId} did not finish within ${MAX_ATTEMPTS} attempts`);
    return { status: result.status, eventId: result.eventId, published: result.published ?? null };
  },
});
