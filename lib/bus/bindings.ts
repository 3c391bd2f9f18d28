// Tenants' bus bindings: an admin gives the tenant a key; its queue and routing key follow from it.
import { getDb } from "@/db";
import { countBusBindings, deleteBusBinding, findBusBinding, insertBusBinding, listBusBindings, updateBusBinding } from "@/db/queries/bus";
import { lockKeyForTransaction } from "@/db/queries/locks";
import type { BusBinding } from "@/db/schema/bus";
import { ApiError } from "@/lib/api/errors";
import { recordAudit } from "@/lib/audit/record-audit";
import { unbindQueue } from "@/lib/broker/rabbitmq";
import { logger } from "@/lib/logger";
import type { TenantContext } from "@/lib/tenancy/context";
import {
  busBindingOut,
  MAX_BUS_BINDINGS,
  type BusBindingListOut,
  type BusBindingOut,
  type CreateBusBindingBody,
  type PatchBusBindingBody,
} from "@/lib/validations/bus";
import { busConsumerHealth, wakeBusConsumer } from "./consumer";
import { bindingQueue, bindingRoutingKey, busSettings } from "./settings";

export function bindingJson(b: BusBinding): BusBindingOut {
  const s = busSettings();
  return busBindingOut.parse({
    id: b.id,
    key: b.key,
    description: b.description,
    enabled: b.enabled,
    exchange: s.exchange,
    routing_key: bindingRoutingKey(b.key, s),
    queue: bindingQueue(b.key, s),
    dead_letter_queue: s.deadLetterQueue,
    created_at: b.createdAt.toISOString(),
    updated_at: b.updatedAt.toISOString(),
  });
}

export async function listBindings(ctx: TenantContext): Promise<BusBindingListOut> {
  const rows = await listBusBindings(getDb(), { tenantId: ctx.tenantId });
  return { data: rows.map(bindingJson), consumer: busConsumerHealth() };
}

export async function getBinding(ctx: TenantContext, id: string): Promise<BusBindingOut> {
  const row = await findBusBinding(getDb(), { tenantId: ctx.tenantId, id });
  if (!row) throw ApiError.notFound("Bus binding");
  return bindingJson(row);
}

export async function createBinding(ctx: TenantContext, input: CreateBusBindingBody): Promise<BusBindingOut> {
  const created = await getDb().transaction(async (tx) => {
    // Serialises this tenant's creates, so the cap holds under concurrent requests.
    await lockKeyForTransaction(tx, { key: `bus_bindings:${ctx.tenantId}` });
    if ((await countBusBindings(tx, { tenantId: ctx.tenantId })) >= MAX_BUS_BINDINGS) {
      throw new ApiError({ code: "validation_failed", message: `A tenant has at most ${MAX_BUS_BINDINGS} bus bindings`, details: [{ path: "key", message: "Too many bindings" }] });
    }
    const row = await insertBusBinding(tx, { tenantId: ctx.tenantId, key: input.key, description: input.description, enabled: input.enabled });
    if (!row) {
      throw new ApiError({ code: "conflict", message: `The key "${input.key}" is taken; choose another`, details: [{ path: "key", message: "Taken" }] });
    }
    await recordAudit(tx, ctx, { action: "bus_binding.created", targetType: "bus_binding", targetId: row.id, details: { key: row.key, enabled: row.enabled } });
    return row;
  });
  wakeBusConsumer();
  return bindingJson(created);
}

export async function updateBinding(ctx: TenantContext, id: string, input: PatchBusBindingBody): Promise<BusBindingOut> {
  const updated = await getDb().transaction(async (tx) => {
    const row = await updateBusBinding(tx, { tenantId: ctx.tenantId, id, patch: input });
    if (!row) throw ApiError.notFound("Bus binding");
    await recordAudit(tx, ctx, {
      action: input.enabled === undefined ? "bus_binding.updated" : input.enabled ? "bus_binding.enabled" : "bus_binding.disabled",
      targetType: "bus_binding",
      targetId: id,
      details: { key: row.key, ...input },
    });
    return row;
  });
  wakeBusConsumer();
  return bindingJson(updated);
}

/**
 * Deletes the binding and unbinds its queue from the exchange, so nothing more arrives there. The
 * queue itself and whatever it still holds stay on the broker for an operator to inspect or drain.
 * The consumers stop at their next sync (at once in this process).
 */
export async function deleteBinding(ctx: TenantContext, id: string): Promise<void> {
  const deleted = await getDb().transaction(async (tx) => {
    const row = await deleteBusBinding(tx, { tenantId: ctx.tenantId, id });
    if (!row) throw ApiError.notFound("Bus binding");
    await recordAudit(tx, ctx, { action: "bus_binding.deleted", targetType: "bus_binding", targetId: id, details: { key: row.key } });
    return row;
  });
  wakeBusConsumer();
  const s = busSettings();
  // Not awaited: a broker that is down must not hold the answer for its connect timeout.
  void unbindQueue(bindingQueue(deleted.key, s), s.exchange, bindingRoutingKey(deleted.key, s)).catch((err: unknown) =>
    logger.warn({ key: deleted.key, err: err instanceof Error ? err.message : String(err) }, "could not unbind a deleted bus binding's queue; unbind it by hand"),
  );
}
