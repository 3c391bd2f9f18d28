import { getDb } from "@/db";
import { claimCallCommands, claimCallEvents } from "@/db/queries/broker-outbox";
import type { CallCommand, CallEventLog } from "@/db/schema";
import type { OutboxSource } from "@/lib/broker/outbox-publisher";
import { assertQueue } from "@/lib/broker/rabbitmq";

export function callEventsQueue(): string {
  return process.env.HERALD_CALL_EVENTS_QUEUE || "call-events";
}

export function callCommandsQueue(): string {
  return process.env.HERALD_CALL_COMMANDS_QUEUE || "call-commands";
}

/** The message consumers of `call-events` receive: the event as posted plus Herald's ids. */
export function callEventMessage(row: CallEventLog) {
  return {
    ...row.payload,
    event_id: row.id,
    tenant_id: row.tenantId,
    accepted_at: row.createdTime.toISOString(),
  };
}

/** The message the telephony server receives on `call-commands`. */
export function callCommandMessage(row: CallCommand) {
  return {
    command_id: row.id,
    tenant_id: row.tenantId,
    call_id: row.callId,
    command: row.command,
    ...(row.toNumber ? { to_number: row.toNumber } : {}),
    requested_by: row.requestedByLabel,
    requested_at: row.createdAt.toISOString(),
  };
}

/** Failed publishes of a call event retry for about 17 minutes, then show as dead-lettered on the Calls page. */
export const CALL_EVENT_PUBLISH_BUDGET_MS = 17 * 60_000;
/** A command is only useful while the call is live: about a minute. */
export const CALL_COMMAND_PUBLISH_BUDGET_MS = 60_000;

/** Call events to the durable `call-events` queue, in acceptance order per call. */
export const callEventSource: OutboxSource<CallEventLog> = {
  kind: "call_event",
  budgetMs: CALL_EVENT_PUBLISH_BUDGET_MS,
  claim: (opts) => claimCallEvents(getDb(), opts),
  prepare: () => assertQueue(callEventsQueue()),
  message: (row) => ({
    exchange: "",
    routingKey: callEventsQueue(),
    body: callEventMessage(row),
    options: { messageId: row.id, type: `call.${row.eventType}`, headers: { tenant_id: row.tenantId, call_id: row.callId } },
  }),
};

/** Operator commands to the `call-commands` queue, in order per call. */
export const callCommandSource: OutboxSource<CallCommand> = {
  kind: "call_command",
  budgetMs: CALL_COMMAND_PUBLISH_BUDGET_MS,
  claim: (opts) => claimCallCommands(getDb(), opts),
  prepare: () => assertQueue(callCommandsQueue()),
  message: (row) => ({
    exchange: "",
    routingKey: callCommandsQueue(),
    body: callCommandMessage(row),
    options: { messageId: row.id, type: `call.command.${row.command}`, headers: { tenant_id: row.tenantId, call_id: row.callId } },
  }),
};
