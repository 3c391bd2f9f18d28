// Tenants' webhook endpoints: register, change, rotate the secret, enable/disable, and the delivery log with resend.
import { randomUUID } from "node:crypto";
import { getDb, type DbOrTx } from "@/db";
import {
  deleteWebhookEndpoint,
  exhaustOpenDeliveries,
  findWebhookDelivery,
  findWebhookEndpoint,
  insertWebhookEndpoint,
  listDeliveryAttempts,
  listWebhookDeliveries,
  listWebhookEndpoints,
  restartDelivery,
  updateWebhookEndpoint,
} from "@/db/queries/outbound-webhooks";
import type { WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint } from "@/db/schema/outbound-webhooks";
import { ApiError } from "@/lib/api/errors";
import { recordAudit } from "@/lib/audit/record-audit";
import { emitEvent } from "@/lib/jobs/emit";
import { createSecret, deleteStoredSecrets } from "@/lib/secrets/store";
import { actorLabel, actorUserId, type TenantContext } from "@/lib/tenancy/context";
import {
  webhookDeliveryOut,
  webhookEndpointOut,
  type CreateWebhookEndpointBody,
  type ListDeliveriesQuery,
  type PatchWebhookEndpointBody,
  type WebhookDeliveryOut,
  type WebhookEndpointOut,
} from "@/lib/validations/outbound-webhooks";
import { generateWebhookSecret } from "./signing";
import { assertPublicUrl, UrlRefused } from "@/lib/net/url-guard";

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function endpointJson(e: WebhookEndpoint): WebhookEndpointOut {
  return webhookEndpointOut.parse({
    id: e.id,
    url: e.url,
    description: e.description,
    event_types: e.eventTypes,
    status: e.status,
    disabled_reason: e.disabledReason,
    disabled_at: iso(e.disabledAt),
    secret_rotated_at: iso(e.secretRotatedAt),
    previous_secret_expires_at: e.previousSecretExpiresAt && e.previousSecretExpiresAt > new Date() ? e.previousSecretExpiresAt.toISOString() : null,
    failing_since: iso(e.failingSince),
    last_success_at: iso(e.lastSuccessAt),
    created_by: e.createdBy,
    created_at: e.createdAt.toISOString(),
    updated_at: e.updatedAt.toISOString(),
  });
}

export function deliveryJson(d: WebhookDelivery, attempts: WebhookDeliveryAttempt[]): WebhookDeliveryOut {
  return webhookDeliveryOut.parse({
    id: d.id,
    endpoint_id: d.endpointId,
    event_id: d.eventId,
    event_type: d.eventType,
    status: d.status,
    attempt_count: d.attemptCount,
    next_attempt_at: iso(d.nextAttemptAt),
    last_attempt_at: iso(d.lastAttemptAt),
    last_response_code: d.lastResponseCode,
    last_response_body: d.lastResponseBody,
    last_latency_ms: d.lastLatencyMs,
    last_error: d.lastError,
    succeeded_at: iso(d.succeededAt),
    created_at: d.createdAt.toISOString(),
    payload: d.payload,
    attempts: attempts.map((a) => ({
      attempt: a.attemptNumber,
      response_code: a.responseCode,
      response_body: a.responseBody,
      latency_ms: a.latencyMs,
      error: a.error,
      outcome: a.outcome,
      started_at: a.startedAt.toISOString(),
    })),
  });
}

async function checkUrl(url: string): Promise<void> {
  try {
    await assertPublicUrl(url);
  } catch (err) {
    if (err instanceof UrlRefused) {
      throw new ApiError({ code: "validation_failed", message: "The request is invalid", details: [{ path: "url", message: err.message }], cause: err });
    }
    throw err;
  }
}

async function mustFind(ctx: TenantContext, id: string, db: DbOrTx = getDb(), forUpdate = false): Promise<WebhookEndpoint> {
  const row = await findWebhookEndpoint(db, { tenantId: ctx.tenantId, id, forUpdate });
  if (!row) throw ApiError.notFound("Webhook endpoint");
  return row;
}

export async function listEndpoints(ctx: TenantContext): Promise<WebhookEndpointOut[]> {
  return (await listWebhookEndpoints(getDb(), { tenantId: ctx.tenantId })).map(endpointJson);
}

export async function getEndpoint(ctx: TenantContext, id: string): Promise<WebhookEndpointOut> {
  return endpointJson(await mustFind(ctx, id));
}

/** Registers an endpoint; the answer carries its `whsec_` secret, the only time it is shown. */
export async function createEndpoint(ctx: TenantContext, input: CreateWebhookEndpointBody): Promise<WebhookEndpointOut & { secret: string }> {
  await checkUrl(input.url);
  const secret = generateWebhookSecret();
  return getDb().transaction(async (tx) => {
    const id = randomUUID();
    const { ref } = await createSecret(tx, { tenantId: ctx.tenantId, label: `webhook_endpoint.${id}.secret`, value: secret, createdBy: actorUserId(ctx.actor) });
    const row = await insertWebhookEndpoint(tx, {
      id,
      tenantId: ctx.tenantId,
      url: input.url,
      description: input.description,
      eventTypes: input.event_types,
      secretRef: ref,
      createdBy: actorUserId(ctx.actor),
    });
    await recordAudit(tx, ctx, {
      action: "webhook_endpoint.created",
      targetType: "webhook_endpoint",
      targetId: id,
      details: { url: input.url, event_types: input.event_types },
    });
    return { ...endpointJson(row), secret };
  });
}

export async function updateEndpoint(ctx: TenantContext, id: string, input: PatchWebhookEndpointBody): Promise<WebhookEndpointOut> {
  if (input.url !== undefined) await checkUrl(input.url);
  return getDb().transaction(async (tx) => {
    const current = await mustFind(ctx, id, tx, true);
    const values: Partial<WebhookEndpoint> = {};
    if (input.url !== undefined) values.url = input.url;
    if (input.description !== undefined) values.description = input.description;
    if (input.event_types !== undefined) values.eventTypes = input.event_types;
    if (input.status === "enabled" && current.status !== "enabled") {
      Object.assign(values, { status: "enabled", disabledReason: null, disabledAt: null, failingSince: null });
    } else if (input.status === "disabled" && current.status !== "disabled") {
      const reason = `Disabled by ${actorLabel(ctx.actor)}`;
      Object.assign(values, { status: "disabled", disabledReason: reason, disabledAt: new Date() });
      await exhaustOpenDeliveries(tx, { tenantId: ctx.tenantId, endpointId: id, reason: `endpoint disabled: ${reason}` });
    }
    const row = Object.keys(values).length > 0 ? await updateWebhookEndpoint(tx, { tenantId: ctx.tenantId, id, values }) : current;
    await recordAudit(tx, ctx, {
      action: input.status && input.status !== current.status ? `webhook_endpoint.${input.status}` : "webhook_endpoint.updated",
      targetType: "webhook_endpoint",
      targetId: id,
      details: { ...input },
    });
    return endpointJson(row!);
  });
}

export async function enableEndpoint(ctx: TenantContext, id: string): Promise<WebhookEndpointOut> {
  return updateEndpoint(ctx, id, { status: "enabled" });
}

export async function deleteEndpoint(ctx: TenantContext, id: string): Promise<void> {
  await getDb().transaction(async (tx) => {
    const row = await deleteWebhookEndpoint(tx, { tenantId: ctx.tenantId, id });
    if (!row) throw ApiError.notFound("Webhook endpoint");
    await deleteStoredSecrets(tx, ctx.tenantId, [row.secretRef, row.previousSecretRef]);
    await recordAudit(tx, ctx, { action: "webhook_endpoint.deleted", targetType: "webhook_endpoint", targetId: id, details: { url: row.url } });
  });
}

/**
 * A new secret signs from now on; the old one keeps signing beside it for `overlapHours`, so
 * receivers can switch without dropping a delivery. A secret still overlapping from an earlier
 * rotation is retired at once.
 */
export async function rotateEndpointSecret(ctx: TenantContext, id: string, input: { overlap_hours: number }): Promise<WebhookEndpointOut & { secret: string }> {
  const secret = generateWebhookSecret();
  return getDb().transaction(async (tx) => {
    const current = await mustFind(ctx, id, tx, true);
    const now = new Date();
    const { ref } = await createSecret(tx, { tenantId: ctx.tenantId, label: `webhook_endpoint.${id}.secret`, value: secret, createdBy: actorUserId(ctx.actor) });
    const keepOld = input.overlap_hours > 0;
    await deleteStoredSecrets(tx, ctx.tenantId, [current.previousSecretRef, keepOld ? null : current.secretRef]);
    const row = await updateWebhookEndpoint(tx, {
      tenantId: ctx.tenantId,
      id,
      values: {
        secretRef: ref,
        previousSecretRef: keepOld ? current.secretRef : null,
        previousSecretExpiresAt: keepOld ? new Date(now.getTime() + input.overlap_hours * 3600_000) : null,
        secretRotatedAt: now,
      },
    });
    await recordAudit(tx, ctx, { action: "webhook_endpoint.secret_rotated", targetType: "webhook_endpoint", targetId: id, details: { overlap_hours: input.overlap_hours } });
    return { ...endpointJson(row!), secret };
  });
}

export async function listDeliveries(ctx: TenantContext, endpointId: string, q: ListDeliveriesQuery): Promise<{ data: WebhookDeliveryOut[]; next_before: string | null }> {
  const db = getDb();
  await mustFind(ctx, endpointId, db);
  const rows = await listWebhookDeliveries(db, { tenantId: ctx.tenantId, endpointId, status: q.status, limit: q.limit, beforeId: q.before });
  const attempts = await listDeliveryAttempts(db, { tenantId: ctx.tenantId, deliveryIds: rows.map((r) => r.id) });
  const byDelivery = new Map<string, WebhookDeliveryAttempt[]>();
  for (const a of attempts) byDelivery.set(a.deliveryId, [...(byDelivery.get(a.deliveryId) ?? []), a]);
  return {
    data: rows.map((r) => deliveryJson(r, byDelivery.get(r.id) ?? [])),
    next_before: rows.length === q.limit ? rows[rows.length - 1]!.id : null,
  };
}

/** Sends a delivery again now with the same `webhook-id`, starting a fresh round of retries. */
export async function resendDelivery(ctx: TenantContext, deliveryId: string): Promise<WebhookDeliveryOut> {
  return getDb().transaction(async (tx) => {
    const delivery = await findWebhookDelivery(tx, { tenantId: ctx.tenantId, id: deliveryId });
    if (!delivery) throw ApiError.notFound("Webhook delivery");
    const endpoint = await mustFind(ctx, delivery.endpointId, tx);
    if (endpoint.status !== "enabled") throw ApiError.conflict("The endpoint is disabled: enable it before resending");
    const row = await restartDelivery(tx, { tenantId: ctx.tenantId, id: deliveryId, now: new Date() });
    if (!row) throw ApiError.conflict("An attempt of this delivery is in flight; try again when it finishes");
    // A fresh outbox id: a retry already scheduled at this attempt count must not swallow the resend.
    await emitEvent("herald/webhook-delivery.due", { tenantId: ctx.tenantId, deliveryId, attempt: row.attemptCount }, { db: tx, tenantId: ctx.tenantId });
    await recordAudit(tx, ctx, {
      action: "webhook_delivery.resent",
      targetType: "webhook_delivery",
      targetId: deliveryId,
      details: { endpoint_id: endpoint.id, event_id: row.eventId, event_type: row.eventType },
    });
    const attempts = await listDeliveryAttempts(tx, { tenantId: ctx.tenantId, deliveryIds: [deliveryId] });
    return deliveryJson(row, attempts);
  });
}
