// Work that Herald accepted and that is still not terminal past its deadline: one predicate per kind,
// read by the dashboard's counts and by the sweeper that resolves them, so the two cannot disagree.
import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { callCommands, callEventLogs, communicationEvents, kommoIntegrations, media, messages, webhookDeliveries, webhookEvents } from "../schema";

export const stuckKinds = ["message", "webhook_delivery", "call_event", "call_command", "communication_event", "webhook_event", "inbound_media", "kommo_sync"] as const;
export type StuckKind = (typeof stuckKinds)[number];

/** For each kind, the moment before which a non-terminal row counts as stuck. */
export type StuckCutoffs = Record<StuckKind, Date>;

/** The one definition of "stuck", per kind: non-terminal, and no progress since the cutoff. */
function stuckWhere(kind: StuckKind, cutoff: Date): SQL {
  const at = cutoff.toISOString();
  switch (kind) {
    case "message":
      return sql`${messages.status} in ('queued', 'sending') and ${messages.updatedAt} < ${at}::timestamptz`;
    case "webhook_delivery":
      // Waiting for an attempt that is long overdue, or an attempt in flight far past its lease.
      return sql`((${webhookDeliveries.status} in ('pending', 'failed') and ${webhookDeliveries.nextAttemptAt} < ${at}::timestamptz)
        or (${webhookDeliveries.status} = 'delivering' and ${webhookDeliveries.lastAttemptAt} < ${at}::timestamptz))`;
    case "call_event":
      return sql`${callEventLogs.publishStatus} = 'queued' and coalesce(${callEventLogs.lastAttemptAt}, ${callEventLogs.createdTime}) < ${at}::timestamptz`;
    case "call_command":
      return sql`${callCommands.publishStatus} = 'queued' and ${callCommands.createdAt} < ${at}::timestamptz`;
    case "communication_event":
      return sql`${communicationEvents.status} = 'pending' and coalesce(${communicationEvents.lastAttemptAt}, ${communicationEvents.createdAt}) < ${at}::timestamptz`;
    case "webhook_event":
      return sql`${webhookEvents.status} = 'pending' and ${webhookEvents.receivedAt} < ${at}::timestamptz`;
    case "inbound_media":
      return sql`${media.status} = 'pending' and ${media.source} = 'inbound' and ${media.createdAt} < ${at}::timestamptz`;
    case "kommo_sync":
      // Every step advances the row; a sync whose run is gone stops moving.
      return sql`${kommoIntegrations.syncStatus} = 'running' and ${kommoIntegrations.updatedAt} < ${at}::timestamptz`;
  }
}

const tables = {
  message: { table: messages, id: messages.id, tenantId: messages.tenantId },
  webhook_delivery: { table: webhookDeliveries, id: webhookDeliveries.id, tenantId: webhookDeliveries.tenantId },
  call_event: { table: callEventLogs, id: callEventLogs.id, tenantId: callEventLogs.tenantId },
  call_command: { table: callCommands, id: callCommands.id, tenantId: callCommands.tenantId },
  communication_event: { table: communicationEvents, id: communicationEvents.id, tenantId: communicationEvents.tenantId },
  webhook_event: { table: webhookEvents, id: webhookEvents.id, tenantId: webhookEvents.tenantId },
  inbound_media: { table: media, id: media.id, tenantId: media.tenantId },
  kommo_sync: { table: kommoIntegrations, id: kommoIntegrations.id, tenantId: kommoIntegrations.tenantId },
} as const;

/** A tenant's stuck rows per kind (the dashboard's figure). */
export async function countStuckWork(db: DbOrTx, { tenantId, cutoffs }: { tenantId: string; cutoffs: StuckCutoffs }): Promise<Record<StuckKind, number>> {
  const counts = await Promise.all(
    stuckKinds.map(async (kind) => {
      const t = tables[kind];
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(t.table)
        .where(and(eq(t.tenantId, tenantId), stuckWhere(kind, cutoffs[kind])));
      return [kind, Number(row?.n ?? 0)] as const;
    }),
  );
  return Object.fromEntries(counts) as Record<StuckKind, number>;
}

/**
 * Up to `limit` stuck rows of one kind across tenants, oldest first, for the sweeper (a system
 * job): each is then resolved by a query that takes its tenant id and re-checks its state.
 */
export async function listStuckWork(db: DbOrTx, { kind, cutoff, limit }: { kind: StuckKind; cutoff: Date; limit: number }) {
  const t = tables[kind];
  return db
    .select({ id: t.id, tenantId: t.tenantId, ...(kind === "call_event" ? { callId: callEventLogs.callId } : kind === "call_command" ? { callId: callCommands.callId } : {}) })
    .from(t.table)
    .where(stuckWhere(kind, cutoff))
    .limit(limit) as Promise<{ id: string; tenantId: string; callId?: string }[]>;
}

/** Ends stuck webhook deliveries (terminal `exhausted`, with the reason; Resend restarts them). */
export async function exhaustWebhookDeliveries(db: DbOrTx, { tenantId, ids, reason, cutoff }: { tenantId: string; ids: string[]; reason: string; cutoff?: Date }) {
  if (ids.length === 0) return [];
  return db
    .update(webhookDeliveries)
    .set({ status: "exhausted", nextAttemptAt: null, lastError: reason.slice(0, 1000) })
    .where(
      and(
        eq(webhookDeliveries.tenantId, tenantId),
        inArray(webhookDeliveries.id, ids),
        cutoff ? stuckWhere("webhook_delivery", cutoff) : inArray(webhookDeliveries.status, ["pending", "delivering", "failed"]),
      ),
    )
    .returning({ id: webhookDeliveries.id });
}

/** Ends stuck provider events: `failed` with the reason as their outcome (visible in the webhook log). */
export async function failPendingWebhookEvents(db: DbOrTx, { tenantId, ids, reason, cutoff }: { tenantId: string; ids?: string[]; reason: string; cutoff: Date }) {
  if (ids?.length === 0) return [];
  return db
    .update(webhookEvents)
    .set({ status: "failed", outcome: reason.slice(0, 500), processedAt: new Date() })
    .where(and(eq(webhookEvents.tenantId, tenantId), ids ? inArray(webhookEvents.id, ids) : undefined, stuckWhere("webhook_event", cutoff)))
    .returning({ id: webhookEvents.id });
}

/** Ends stuck communication events: dead-lettered (listed under Dead letters, replayable). */
export async function deadLetterPendingCommunicationEvents(
  db: DbOrTx,
  { tenantId, ids, reason, cutoff }: { tenantId: string; ids: string[]; reason: string; cutoff?: Date },
) {
  if (ids.length === 0) return [];
  const now = new Date();
  return db
    .update(communicationEvents)
    .set({ status: "dead_lettered", deadLetteredAt: now, lastError: reason.slice(0, 1000) })
    .where(
      and(
        eq(communicationEvents.tenantId, tenantId),
        inArray(communicationEvents.id, ids),
        cutoff ? stuckWhere("communication_event", cutoff) : eq(communicationEvents.status, "pending"),
      ),
    )
    .returning({ id: communicationEvents.id });
}

/** Ends inbound media downloads whose run is gone (`failed`, with the reason shown on the message). */
export async function failStuckInboundMedia(db: DbOrTx, { tenantId, ids, reason, cutoff }: { tenantId: string; ids: string[]; reason: string; cutoff: Date }) {
  if (ids.length === 0) return [];
  return db
    .update(media)
    .set({ status: "failed", error: reason.slice(0, 1000) })
    .where(and(eq(media.tenantId, tenantId), inArray(media.id, ids), stuckWhere("inbound_media", cutoff)))
    .returning({ id: media.id });
}

/** Ends Kommo syncs whose run is gone (`failed` with the reason; a new sync, or the dead letter's replay, resumes). */
export async function failStuckKommoSyncs(db: DbOrTx, { tenantId, ids, reason, cutoff }: { tenantId: string; ids: string[]; reason: string; cutoff: Date }) {
  if (ids.length === 0) return [];
  return db
    .update(kommoIntegrations)
    .set({ syncStatus: "failed", syncError: reason.slice(0, 1000), syncFinishedAt: sql`now()` })
    .where(and(eq(kommoIntegrations.tenantId, tenantId), inArray(kommoIntegrations.id, ids), stuckWhere("kommo_sync", cutoff)))
    .returning({ id: kommoIntegrations.id });
}
