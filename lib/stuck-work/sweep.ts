// The stuck-work sweeper: resolves accepted work that outlived its deadline the same way each workflow's onFailure does.
import { getDb } from "@/db";
import {
  countStuckWork,
  deadLetterPendingCommunicationEvents,
  exhaustWebhookDeliveries,
  failPendingWebhookEvents,
  failStuckInboundMedia,
  failStuckKommoSyncs,
  listStuckWork,
  stuckKinds,
  type StuckKind,
} from "@/db/queries/stuck-work";
import { logger } from "@/lib/logger";
import { brokerConfigured } from "@/lib/messaging/communication-events";
import { failMessageForGood } from "@/lib/messaging/delivery";
import { deadLetterCallCommands, deadLetterCallEvents } from "@/lib/telephony/dead-letter";
import type { TenantContext } from "@/lib/tenancy/context";
import { stuckCutoffs, stuckDeadlinesMs } from "./deadlines";

export type { StuckKind };

const BATCH = 500;

function reasonFor(kind: StuckKind): string {
  const minutes = Math.round(stuckDeadlinesMs()[kind] / 60_000);
  return `Herald stopped working on it: no progress for ${minutes} min (its workflow run was lost or failed); resolved by the stuck-work sweeper`;
}

async function resolveBatch(kind: StuckKind, cutoff: Date, rows: { id: string; tenantId: string; callId?: string }[]): Promise<number> {
  const reason = reasonFor(kind);
  const db = getDb();
  const byTenant = new Map<string, string[]>();
  for (const r of rows) byTenant.set(r.tenantId, [...(byTenant.get(r.tenantId) ?? []), r.id]);
  let n = 0;
  switch (kind) {
    case "message":
      for (const r of rows) if ((await failMessageForGood({ tenantId: r.tenantId, messageId: r.id, reason })).status === "failed") n++;
      return n;
    case "call_event":
    case "call_command": {
      const calls = new Set(rows.map((r) => `${r.tenantId}\u0000${r.callId}`));
      for (const c of calls) {
        const [tenantId, callId] = c.split("\u0000") as [string, string];
        const done = kind === "call_event" ? await deadLetterCallEvents({ tenantId, callId, reason, olderThan: cutoff }) : await deadLetterCallCommands({ tenantId, callId, reason, olderThan: cutoff });
        n += done.deadLettered;
      }
      return n;
    }
    case "webhook_delivery":
      for (const [tenantId, ids] of byTenant) n += (await exhaustWebhookDeliveries(db, { tenantId, ids, reason, cutoff })).length;
      return n;
    case "communication_event":
      for (const [tenantId, ids] of byTenant) n += (await deadLetterPendingCommunicationEvents(db, { tenantId, ids, reason, cutoff })).length;
      return n;
    case "webhook_event":
      for (const [tenantId, ids] of byTenant) n += (await failPendingWebhookEvents(db, { tenantId, ids, reason, cutoff })).length;
      return n;
    case "inbound_media":
      for (const [tenantId, ids] of byTenant) n += (await failStuckInboundMedia(db, { tenantId, ids, reason, cutoff })).length;
      return n;
    case "kommo_sync":
      for (const [tenantId, ids] of byTenant) n += (await failStuckKommoSyncs(db, { tenantId, ids, reason, cutoff })).length;
      return n;
  }
}

/**
 * One sweep: every kind, in batches, until nothing past its deadline is left (bounded per run).
 * Safe to run twice at once (every resolution is a conditional update that re-checks the row),
 * though the engine schedules it once per minute across processes.
 */
export async function sweepStuckWork(opts: { now?: Date; maxBatches?: number } = {}): Promise<Record<StuckKind, number>> {
  const cutoffs = stuckCutoffs(opts.now);
  const resolved = Object.fromEntries(stuckKinds.map((k) => [k, 0])) as Record<StuckKind, number>;
  for (const kind of stuckKinds) {
    // With no broker configured, communication events are held on purpose (shown in the UI), not stuck.
    if (kind === "communication_event" && !brokerConfigured()) continue;
    for (let i = 0; i < (opts.maxBatches ?? 20); i++) {
      const rows = await listStuckWork(getDb(), { kind, cutoff: cutoffs[kind], limit: BATCH });
      if (rows.length === 0) break;
      resolved[kind] += await resolveBatch(kind, cutoffs[kind], rows);
      if (rows.length < BATCH) break;
    }
  }
  const total = Object.values(resolved).reduce((a, b) => a + b, 0);
  if (total > 0) logger.warn({ resolved }, "stuck-work sweeper resolved work that outlived its deadline");
  return resolved;
}

/** The Overview's stuck counts: the same predicates the sweeper resolves (0 when all is well). */
export async function getStuckCounts(ctx: TenantContext) {
  const counts = await countStuckWork(getDb(), { tenantId: ctx.tenantId, cutoffs: stuckCutoffs() });
  if (!brokerConfigured()) counts.communication_event = 0;
  return { counts, total: Object.values(counts).reduce((a, b) => a + b, 0) };
}
