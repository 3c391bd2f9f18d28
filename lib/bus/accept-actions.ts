// Accepting a batch of bus actions for the tenant whose binding they arrived on: the same
// validation, rendering, idempotency, quota, suppression and subscription checks as an HTTP batch
// send (sendMessageBatch), with the action id as the idempotency key.
import { getDb } from "@/db";
import { upsertBusDeadLetters, type NewBusDeadLetter } from "@/db/queries/bus";
import { findMessagesByIdempotencyKeys } from "@/db/queries/messages";
import { ApiError } from "@/lib/api/errors";
import { sendMessageBatch } from "@/lib/messaging/send-message";
import { systemContext } from "@/lib/tenancy/context";
import type { ActionEnvelope } from "@/lib/validations/bus";
import type { BatchItemOut } from "@/lib/validations/messages";
import { actionIdempotencyKey, deadLetterKey, parseAction, sendBodyOf, storableBody, type Poison } from "./action-envelope";
import { recordRefusals, refusalHash, type Refusal } from "./refusals";

export interface BusBindingRef {
  id: string;
  tenantId: string;
  tenantSlug: string;
  key: string;
  queue: string;
}

export interface ActionDelivery {
  body: Buffer;
  messageId?: string;
  routingKey: string;
}

/**
 * accepted: the message exists (new, a replay, or a recorded refusal) — ack. poison: refused for
 * good and recorded as a dead letter — copy to the dead-letter queue, then ack. retry: nothing was
 * decided (database down, quota, a concurrent duplicate still committing) — requeue after the delay.
 */
export type ActionOutcome =
  | { kind: "accepted"; messageId: string | null }
  | { kind: "poison"; poison: Poison }
  | { kind: "retry"; delayMs: number; reason: string };

function itemReason(item: BatchItemOut): string {
  const e = item.error!;
  const details = Array.isArray(e.details)
    ? (e.details as { path?: string; message?: string; variable?: string }[])
        .slice(0, 5)
        .map((d) => [d.path, d.variable, d.message].filter(Boolean).join(": "))
        .join("; ")
    : "";
  return `${e.code}: ${e.message}${details ? ` (${details})` : ""}`.slice(0, 1000);
}

export async function acceptActions(binding: BusBindingRef, deliveries: ActionDelivery[]): Promise<ActionOutcome[]> {
  const outcomes: ActionOutcome[] = new Array(deliveries.length);
  const sends: { index: number; envelope: ActionEnvelope; body: Record<string, unknown> }[] = [];
  deliveries.forEach((d, index) => {
    const parsed = parseAction(d.body);
    if (!parsed.ok) return void (outcomes[index] = { kind: "poison", poison: parsed.poison });
    const mapped = sendBodyOf(parsed.envelope);
    if (!mapped.ok) return void (outcomes[index] = { kind: "poison", poison: mapped.poison });
    sends.push({ index, envelope: parsed.envelope, body: mapped.body });
  });

  const ctx = systemContext({ id: binding.tenantId, slug: binding.tenantSlug }, `bus binding ${binding.key}`);
  const traceIds = sends.map((s) => s.envelope.meta.trace_id);
  const refusals: (Refusal & { index: number; traceId?: string })[] = [];
  const reused: { index: number; body: Record<string, unknown>; key: string; poison: Poison }[] = [];
  if (sends.length > 0) {
    const result = await sendMessageBatch(
      ctx,
      sends.map((s) => s.body),
      { traceIds },
    );
    result.results.forEach((item, i) => {
      const s = sends[i]!;
      const poison = (): Poison => ({ code: item.error?.code ?? "rejected", reason: itemReason(item), eventName: s.envelope.event, actionId: s.envelope.data.action_id });
      if (item.status === 202 || item.status === 200) {
        outcomes[s.index] = { kind: "accepted", messageId: item.result?.id ?? null };
      } else if (item.status === 429) {
        const seconds = Number((item.error?.details as { retry_after_seconds?: unknown } | undefined)?.retry_after_seconds ?? 1);
        outcomes[s.index] = { kind: "retry", delayMs: Math.max(1, seconds) * 1000, reason: item.error!.code };
      } else if (item.status === 409 || item.status >= 500) {
        outcomes[s.index] = { kind: "retry", delayMs: 1000, reason: item.error?.code ?? "conflict" };
      } else if (item.error?.code.startsWith("COMM_")) {
        const error = new ApiError({ code: item.error.code, message: item.error.message, status: item.status, details: item.error.details });
        refusals.push({ index: s.index, envelope: s.envelope, body: s.body, error, traceId: traceIds[i] });
      } else if (item.error?.code === "idempotency_key_reused") {
        reused.push({ index: s.index, body: s.body, key: actionIdempotencyKey(s.envelope.data.action_id), poison: poison() });
      } else {
        outcomes[s.index] = { kind: "poison", poison: poison() };
      }
    });
  }

  if (reused.length > 0) {
    // The key is taken by a different request — unless that request is this action's own
    // recorded refusal (a redelivery of it): then it is answered already.
    const owners = new Map(
      (await findMessagesByIdempotencyKeys(getDb(), { tenantId: binding.tenantId, keys: reused.map((r) => r.key) })).map((m) => [m.idempotencyKey!, m]),
    );
    for (const r of reused) {
      const owner = owners.get(r.key);
      outcomes[r.index] = owner && owner.requestHash === refusalHash(r.body) ? { kind: "accepted", messageId: owner.id } : { kind: "poison", poison: r.poison };
    }
  }
  await recordRefusals(
    ctx,
    refusals,
    refusals.map((r) => r.traceId),
  );
  for (const r of refusals) outcomes[r.index] = { kind: "accepted", messageId: null };

  const dead: NewBusDeadLetter[] = [];
  outcomes.forEach((o, i) => {
    if (o.kind !== "poison") return;
    const d = deliveries[i]!;
    const body = storableBody(d.body);
    dead.push({
      tenantId: binding.tenantId,
      bindingId: binding.id,
      dedupeKey: deadLetterKey(d.body, d.messageId),
      reasonCode: o.poison.code.slice(0, 100),
      reason: o.poison.reason,
      eventName: o.poison.eventName,
      actionId: o.poison.actionId,
      amqpMessageId: d.messageId?.slice(0, 200) ?? null,
      queue: binding.queue,
      routingKey: d.routingKey.slice(0, 255),
      body: body.text,
      bodyTruncated: body.truncated,
    });
  });
  await upsertBusDeadLetters(getDb(), dead);
  return outcomes;
}
