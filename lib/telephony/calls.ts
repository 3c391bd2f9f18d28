import { getDb } from "@/db";
import {
  callCounters,
  findCall,
  findCallByCallId,
  insertCallCommand,
  listCallCommandsOfCall,
  listCallEventLogs,
  listCallEventLogsOfCall,
  listCalls,
  requeueDeadLetteredCallCommands,
  requeueDeadLetteredCallEvents,
} from "@/db/queries/telephony";
import type { Call, CallCommand, CallEventLog, PublishStatus } from "@/db/schema";
import { decodeTimeIdCursor, encodeTimeIdCursor } from "@/lib/api/cursor";
import { ApiError } from "@/lib/api/errors";
import { recordAudit } from "@/lib/audit/record-audit";
import { wakeBrokerOutbox } from "@/lib/broker/outbox-publisher";
import { actorLabel, type TenantContext } from "@/lib/tenancy/context";
import { startOfDayInZone } from "@/lib/format";
import { tenantTimeZone } from "@/lib/tenants/tenant-settings";
import type {
  CallCommandOutput,
  CallCountersOutput,
  CallEventOutput,
  CallOutput,
  ListCallsQuery,
} from "@/lib/validations/telephony";

type CallRow = { call: Call; schoolName: string | null; publishStatus: PublishStatus };

function toCallOutput({ call, schoolName, publishStatus }: CallRow): CallOutput {
  const ended = call.endedAt ?? call.missedAt ?? call.failedAt;
  return {
    id: call.id,
    call_id: call.callId,
    from_number: call.fromNumber,
    to_number: call.toNumber,
    school: call.schoolId && schoolName ? { id: call.schoolId, name: schoolName } : null,
    status: ended ? "ended" : "active",
    outcome: call.outcome ?? null,
    started_at: call.startedAt?.toISOString() ?? null,
    answered_at: call.answeredAt?.toISOString() ?? null,
    forwarded_at: call.forwardedAt?.toISOString() ?? null,
    forwarded_to: call.forwardedTo,
    ended_at: ended?.toISOString() ?? null,
    duration_seconds: call.durationSeconds,
    first_event_at: call.firstEventAt.toISOString(),
    last_event_at: call.lastEventAt.toISOString(),
    event_count: call.eventCount,
    publish_status: publishStatus,
  };
}

export function toCallEventOutput(e: CallEventLog): CallEventOutput {
  return {
    id: e.id,
    call_id: e.callId,
    event_type: e.eventType,
    from_number: e.fromNumber,
    to_number: e.toNumber,
    timestamp: e.occurredAt.toISOString(),
    duration: e.durationSeconds,
    created_time: e.createdTime.toISOString(),
    publish_status: e.publishStatus,
    publish_attempts: e.publishAttempts,
    last_publish_error: e.lastPublishError,
    published_at: e.publishedAt?.toISOString() ?? null,
  };
}

function toCallCommandOutput(c: CallCommand): CallCommandOutput {
  return {
    id: c.id,
    call_id: c.callId,
    command: c.command,
    to_number: c.toNumber,
    requested_by: c.requestedByLabel,
    created_at: c.createdAt.toISOString(),
    publish_status: c.publishStatus,
    publish_attempts: c.publishAttempts,
    last_publish_error: c.lastPublishError,
    published_at: c.publishedAt?.toISOString() ?? null,
  };
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** A bare date as `to` means "through the end of that day" (UTC). */
function parseBound(value: string | undefined, end: boolean): Date | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  if (end && DATE_ONLY.test(value)) return new Date(d.getTime() + 24 * 3600 * 1000 - 1);
  return d;
}

export async function listCallLog(ctx: TenantContext, q: ListCallsQuery) {
  const rows = await listCalls(getDb(), {
    tenantId: ctx.tenantId,
    schoolId: q.school_id,
    number: q.number ? (q.number.startsWith("+") ? q.number : `+${q.number}`) : undefined,
    outcome: q.outcome,
    publishStatus: q.publish_status,
    from: parseBound(q.from, false),
    to: parseBound(q.to, true),
    before: q.cursor ? decodeTimeIdCursor(q.cursor) : undefined,
    limit: q.limit + 1,
  });
  const data = rows.slice(0, q.limit).map(toCallOutput);
  const last = data[data.length - 1];
  return { data, next_cursor: rows.length > q.limit && last ? encodeTimeIdCursor(last.first_event_at, last.id) : null };
}

/** One call with its timeline: the events as received and the operator commands, in time order. */
export async function getCallDetail(ctx: TenantContext, id: string) {
  const db = getDb();
  const row = await findCall(db, { tenantId: ctx.tenantId, id });
  if (!row) throw ApiError.notFound("Call");
  const [events, commands] = await Promise.all([
    listCallEventLogsOfCall(db, { tenantId: ctx.tenantId, callId: row.call.callId }),
    listCallCommandsOfCall(db, { tenantId: ctx.tenantId, callId: row.call.callId }),
  ]);
  return { ...toCallOutput(row), events: events.map(toCallEventOutput), commands: commands.map(toCallCommandOutput) };
}

export async function listCallEvents(
  ctx: TenantContext,
  q: { publish_status?: PublishStatus; call_id?: string; limit: number },
) {
  const rows = await listCallEventLogs(getDb(), {
    tenantId: ctx.tenantId,
    publishStatus: q.publish_status,
    callId: q.call_id,
    limit: q.limit,
  });
  return { data: rows.map(toCallEventOutput) };
}

export async function getCallCounters(ctx: TenantContext, now = new Date()): Promise<CallCountersOutput> {
  // "Today" is the tenant's day.
  const since = startOfDayInZone(now, await tenantTimeZone(ctx.tenantId));
  const c = await callCounters(getDb(), { tenantId: ctx.tenantId, since });
  return {
    active_calls: c.active,
    today: { total: c.total, answered: c.answered, missed: c.missed, failed: c.failed },
    publish: { queued: c.queued, dead_lettered: c.deadLettered, oldest_queued_at: c.oldestQueued?.toISOString() ?? null },
  };
}

/**
 * Puts dead-lettered publishes (events and operator commands) back in the queue with a fresh
 * retry budget; the broker outbox publishes each call's backlog in order. Without ids, every dead-lettered item of the tenant is retried.
 */
export async function retryDeadLetteredPublishes(
  ctx: TenantContext,
  input: { event_ids?: string[]; command_ids?: string[] },
): Promise<{ requeued_events: number; requeued_commands: number }> {
  const all = !input.event_ids && !input.command_ids;
  const result = await getDb().transaction(async (tx) => {
    const events =
      all || input.event_ids
        ? await requeueDeadLetteredCallEvents(tx, { tenantId: ctx.tenantId, ids: input.event_ids })
        : [];
    const commands =
      all || input.command_ids
        ? await requeueDeadLetteredCallCommands(tx, { tenantId: ctx.tenantId, ids: input.command_ids })
        : [];
    if (events.length === 0 && commands.length === 0) {
      if (all) return { requeued_events: 0, requeued_commands: 0 };
      throw ApiError.notFound("Dead-lettered event");
    }
    const byCall = new Set(events.map((e) => e.callId));
    const commandCalls = new Set(commands.map((c) => c.callId));
    await recordAudit(tx, ctx, {
      action: "call_publish.retried",
      targetType: "call_event",
      details: { events: events.length, commands: commands.length, calls: byCall.size + commandCalls.size },
    });
    return { requeued_events: events.length, requeued_commands: commands.length };
  });
  wakeBrokerOutbox();
  return result;
}

/**
 * Records an operator's forward or hang-up and queues the command for the telephony server.
 * Refused for a call Herald has seen end: the server could not act on it.
 */
export async function requestCallCommand(
  ctx: TenantContext,
  input: { callId: string; command: "forward" | "hangup"; toNumber?: string },
): Promise<CallCommandOutput> {
  const output = await getDb().transaction(async (tx) => {
    const call = await findCallByCallId(tx, { tenantId: ctx.tenantId, callId: input.callId });
    if (!call) throw ApiError.notFound("Call");
    if (call.endedAt || call.missedAt || call.failedAt) {
      throw ApiError.conflict("The call has already ended", { call_id: call.callId, outcome: call.outcome });
    }
    if (input.command === "forward" && input.toNumber === call.toNumber && !call.forwardedTo) {
      throw new ApiError({
        code: "validation_failed",
        message: "The call is already on that number",
        details: [{ path: "to_number", message: "must differ from the number the call is on" }],
      });
    }
    const row = await insertCallCommand(tx, {
      tenantId: ctx.tenantId,
      callRecordId: call.id,
      callId: call.callId,
      command: input.command,
      toNumber: input.toNumber ?? null,
      requestedByType: ctx.actor.type,
      requestedById: ctx.actor.type === "user" ? ctx.actor.userId : ctx.actor.type === "api_key" ? ctx.actor.keyId : null,
      requestedByLabel: actorLabel(ctx.actor),
      requestId: ctx.requestId,
    });
    await recordAudit(tx, ctx, {
      action: `call.${input.command}`,
      targetType: "call",
      targetId: call.id,
      details: { call_id: call.callId, command_id: row.id, ...(input.toNumber ? { to_number: input.toNumber } : {}) },
    });
    return toCallCommandOutput(row);
  });
  // The command row is its own outbox row (publish_status = queued).
  wakeBrokerOutbox("call_command");
  return output;
}
