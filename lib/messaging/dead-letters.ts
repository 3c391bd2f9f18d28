// The dead-letter view and replay: messages that exhausted every route, communication and call
// events the broker refused past their retries, and workflow runs that failed for good.
import { randomUUID } from "node:crypto";
import { getDb, type DbOrTx } from "@/db";
import {
  insertDeadLetterReplays,
  listAttemptsForMessages,
  listDeadLetteredCallEvents,
  listDeadLetteredCommunicationEvents,
  listFailedMessages,
  listReplaysFor,
  listTenantJobDeadLetters,
  markJobDeadLettersReplayed,
  requeueDeadLetteredCommunicationEvents,
  requeueFailedMessages,
  type DeadLetterFilter,
} from "@/db/queries/dead-letters";
import { listBusDeadLetters } from "@/db/queries/bus";
import { requeueDeadLetteredCallEvents } from "@/db/queries/telephony";
import type { DeadLetterKind } from "@/db/schema/dead-letter-replays";
import type { MessageAttempt } from "@/db/schema/messages";
import { eventSchemas, type EventName } from "@/lib/jobs/events";
import { wakeBrokerOutbox } from "@/lib/broker/outbox-publisher";
import { decodeTimeIdCursor, encodeTimeIdCursor } from "@/lib/api/cursor";
import { recordAudit } from "@/lib/audit/record-audit";
import { emitEvents } from "@/lib/jobs/emit";
import { deterministicUuid } from "@/lib/jobs/run-id";
import { actorLabel, type TenantContext } from "@/lib/tenancy/context";
import {
  MAX_REPLAY,
  type DeadLetterFilterInput,
  type DeadLetterListOut,
  type DeadLetterOut,
  type ListDeadLettersQuery,
  type ReplayBody,
  type ReplayResultOut,
} from "@/lib/validations/dead-letters";

type Entry = { at: Date; id: string; out: Omit<DeadLetterOut, "attempts" | "replays">; messageId: string | null };

function kindsFor(f: DeadLetterFilterInput): DeadLetterKind[] {
  if (f.kind) return [f.kind];
  // Call events, workflow runs and bus actions have no provider: a provider filter leaves them out.
  return f.provider ? ["message", "communication_event"] : ["message", "communication_event", "call_event", "job", "bus_action"];
}

/** Each source's newest entries matching the filter (limit per source), merged newest first. */
async function collect(db: DbOrTx, kinds: DeadLetterKind[], f: DeadLetterFilter): Promise<Entry[]> {
  const parts = await Promise.all(
    kinds.map(async (kind): Promise<Entry[]> => {
      switch (kind) {
        case "message":
          return (await listFailedMessages(db, f)).map((m) => ({
            at: m.failedAt ?? m.updatedAt,
            id: m.id,
            messageId: m.id,
            out: {
              id: m.id,
              kind,
              failed_at: (m.failedAt ?? m.updatedAt).toISOString(),
              provider: m.provider,
              config_id: m.configId,
              message_id: m.id,
              channel: m.channel,
              recipient: m.recipient,
              name: null,
              error_code: m.errorCode,
              last_error: m.errorMessage,
              attempt_count: m.attemptCount,
              idempotency_key: m.idempotencyKey,
            },
          }));
        case "communication_event":
          return (await listDeadLetteredCommunicationEvents(db, f)).map(({ event: e, provider, configId, channel, recipient }) => ({
            at: e.deadLetteredAt ?? e.createdAt,
            id: e.id,
            messageId: e.messageId,
            out: {
              id: e.id,
              kind,
              failed_at: (e.deadLetteredAt ?? e.createdAt).toISOString(),
              provider,
              config_id: configId,
              message_id: e.messageId,
              channel,
              recipient,
              name: e.name,
              error_code: "broker_refused",
              last_error: e.lastError,
              attempt_count: e.publishAttempts,
              idempotency_key: null,
            },
          }));
        case "call_event":
          return (await listDeadLetteredCallEvents(db, f)).map(({ row: c, at }) => ({
            at,
            id: c.id,
            messageId: null,
            out: {
              id: c.id,
              kind,
              failed_at: at.toISOString(),
              provider: null,
              config_id: null,
              message_id: null,
              channel: "call",
              recipient: c.toNumber,
              name: `${c.eventType} (call ${c.callId})`,
              error_code: "broker_refused",
              last_error: c.lastPublishError,
              attempt_count: c.publishAttempts,
              idempotency_key: null,
            },
          }));
        case "job":
          return (await listTenantJobDeadLetters(db, f)).map((j) => ({
            at: j.failedAt,
            id: j.id,
            messageId: typeof j.payload.messageId === "string" ? j.payload.messageId : null,
            out: {
              id: j.id,
              kind,
              failed_at: j.failedAt.toISOString(),
              provider: null,
              config_id: null,
              message_id: typeof j.payload.messageId === "string" ? j.payload.messageId : null,
              channel: null,
              recipient: null,
              name: `${j.functionId} ← ${j.eventName}`,
              error_code: "workflow_failed",
              last_error: j.error,
              attempt_count: j.attempts,
              idempotency_key: null,
            },
          }));
        case "bus_action":
          return (await listBusDeadLetters(db, f)).map((b) => ({
            at: b.createdAt,
            id: b.id,
            messageId: null,
            out: {
              id: b.id,
              kind,
              failed_at: b.createdAt.toISOString(),
              provider: null,
              config_id: null,
              message_id: null,
              channel: null,
              recipient: null,
              name: `${b.eventName ?? "unnamed message"}${b.actionId ? ` (action ${b.actionId})` : ""} on ${b.queue}`,
              error_code: b.reasonCode,
              last_error: b.reason,
              attempt_count: b.occurrences,
              idempotency_key: b.actionId ? `action:${b.actionId}` : null,
            },
          }));
      }
    }),
  );
  return parts.flat().sort((a, b) => b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

const attemptOut = (a: MessageAttempt) => ({
  attempt_no: a.attemptNo,
  provider: a.provider,
  config_id: a.configId,
  outcome: a.outcome,
  response_code: a.responseCode,
  error_code: a.errorCode,
  error_message: a.errorMessage,
  latency_ms: a.latencyMs,
  started_at: a.startedAt.toISOString(),
});

export async function listDeadLetters(ctx: TenantContext, q: ListDeadLettersQuery): Promise<DeadLetterListOut> {
  const db = getDb();
  const limit = q.limit ?? 50;
  const entries = await collect(db, kindsFor(q), {
    tenantId: ctx.tenantId,
    provider: q.provider,
    since: q.since ? new Date(q.since) : undefined,
    before: q.cursor ? decodeTimeIdCursor(q.cursor) : undefined,
    limit: limit + 1,
  });
  const page = entries.slice(0, limit);
  const messageIds = [...new Set(page.map((e) => e.messageId).filter((id): id is string => id !== null))];
  const [attempts, replays] = await Promise.all([
    listAttemptsForMessages(db, { tenantId: ctx.tenantId, messageIds }),
    listReplaysFor(db, { tenantId: ctx.tenantId, targetIds: page.map((e) => e.id) }),
  ]);
  const data = page.map((e) => ({
    ...e.out,
    attempts: e.messageId && e.out.kind !== "job" ? attempts.filter((a) => a.messageId === e.messageId).map(attemptOut) : [],
    replays: replays.filter((r) => r.targetId === e.id).map((r) => ({ actor: r.actorLabel, actor_type: r.actorType, replayed_at: r.replayedAt.toISOString() })),
  }));
  const last = page.at(-1);
  return { data, next_cursor: entries.length > limit && last ? encodeTimeIdCursor(last.at, last.id) : null };
}

/**
 * Puts dead letters back into the pipeline. Each is moved by a conditional update (failed →
 * queued, dead_lettered → pending, not yet replayed → replayed), so of a double click or two
 * concurrent replays of one id exactly one re-queues it: each is sent at most once more.
 * A message keeps its idempotency key and gets a new delivery run.
 */
export async function replayDeadLetters(ctx: TenantContext, body: ReplayBody): Promise<ReplayResultOut> {
  const db = getDb();
  let ids: string[];
  if ("ids" in body) ids = [...new Set(body.ids.map((id) => id.toLowerCase()))];
  else {
    const f = body.filter;
    const entries = await collect(db, kindsFor(f), { tenantId: ctx.tenantId, provider: f.provider, since: f.since ? new Date(f.since) : undefined, limit: MAX_REPLAY });
    ids = entries.slice(0, MAX_REPLAY).map((e) => e.id);
  }
  if (ids.length === 0) return { replayed: [], skipped: [] };
  const who = actorLabel(ctx.actor);
  const actorId = ctx.actor.type === "user" ? ctx.actor.userId : ctx.actor.type === "api_key" ? ctx.actor.keyId : null;

  // A refused bus message is fixed by its producer and published again (its action id keeps it to one message).
  const busIds = new Set((await listBusDeadLetters(db, { tenantId: ctx.tenantId, ids, limit: ids.length })).map((b) => b.id));
  ids = ids.filter((id) => !busIds.has(id));
  const busSkipped = [...busIds].map((id) => ({
    id,
    reason: "a refused bus action is not replayed here: fix it at its producer and publish it again (the same action id sends at most once)",
  }));
  if (ids.length === 0) return { replayed: [], skipped: busSkipped };

  const result = await db.transaction(async (tx) => {
    const skipped: ReplayResultOut["skipped"] = [...busSkipped];
    const msgs = await requeueFailedMessages(tx, { tenantId: ctx.tenantId, ids, reason: `replayed by ${who}` });
    const events = await requeueDeadLetteredCommunicationEvents(tx, { tenantId: ctx.tenantId, ids });
    const calls = await requeueDeadLetteredCallEvents(tx, { tenantId: ctx.tenantId, ids });
    // A run whose payload no longer parses can't be replayed; leave it (and say so) rather than fail the lot.
    const jobRows = await listTenantJobDeadLetters(tx, { tenantId: ctx.tenantId, ids, limit: ids.length });
    const replayable = jobRows.filter((j) => {
      const ok = j.eventName in eventSchemas && eventSchemas[j.eventName as EventName].safeParse(j.payload).success;
      if (!ok) skipped.push({ id: j.id, reason: `the ${j.eventName} payload is invalid; it cannot be replayed` });
      return ok;
    });
    const jobs = await markJobDeadLettersReplayed(tx, { tenantId: ctx.tenantId, ids: replayable.map((j) => j.id) });

    await emitEvents(tx, [
      // A new delivery run per round: the id derives from the round, so it can't collide with the first run.
      ...msgs.map((m) => ({
        name: "herald/message.queued" as const,
        data: { tenantId: ctx.tenantId, messageId: m.id },
        tenantId: ctx.tenantId,
        id: deterministicUuid(m.id, "replay", String(m.replayCount)),
      })),
      // Requeued communication and call events are outbox rows again: the broker outbox takes them.
      ...jobs.map((j) => ({ name: j.eventName as EventName, data: j.payload, tenantId: ctx.tenantId, id: randomUUID() })),
    ]);

    const replayed: ReplayResultOut["replayed"] = [
      ...msgs.map((m) => ({ id: m.id, kind: "message" as const })),
      ...events.map((e) => ({ id: e.id, kind: "communication_event" as const })),
      ...calls.map((c) => ({ id: c.id, kind: "call_event" as const })),
      ...jobs.map((j) => ({ id: j.id, kind: "job" as const })),
    ];
    await insertDeadLetterReplays(
      tx,
      replayed.map((r) => ({ tenantId: ctx.tenantId, kind: r.kind, targetId: r.id, actorType: ctx.actor.type, actorId, actorLabel: who, requestId: ctx.requestId })),
    );
    if (replayed.length > 0) {
      await recordAudit(tx, ctx, {
        action: "dead_letters.replayed",
        targetType: "dead_letter",
        targetId: replayed.length === 1 ? replayed[0]!.id : null,
        details: { count: replayed.length, ids: replayed.slice(0, 200).map((r) => `${r.kind}:${r.id}`), by: "ids" in body ? "ids" : "filter" },
      });
    }
    return { replayed, skipped };
  });

  if (result.replayed.some((r) => r.kind === "communication_event" || r.kind === "call_event")) wakeBrokerOutbox();
  const done = new Set([...result.replayed.map((r) => r.id), ...result.skipped.map((s) => s.id)]);
  for (const id of ids) if (!done.has(id)) result.skipped.push({ id, reason: "not a dead letter now (already replayed, since resent, or unknown)" });
  return result;
}
