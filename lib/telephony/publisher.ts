import { getDb, type DbOrTx } from "@/db";
import {
  findCallEventPublishStatus,
  lockUnpublishedCallCommands,
  lockUnpublishedCallEvents,
  markCallCommandPublished,
  markCallEventPublished,
  recordCallCommandPublishFailure,
  recordCallEventPublishFailure,
} from "@/db/queries/telephony";
import type { CallCommand, CallEventLog } from "@/db/schema";
import { publishToQueue } from "@/lib/broker/rabbitmq";
import { logger } from "@/lib/logger";

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

export class PublishFailedError extends Error {
  constructor(
    message: string,
    readonly pending: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "PublishFailedError";
  }
}

interface Backlog<R extends { id: string }> {
  kind: string;
  lock: (tx: DbOrTx) => Promise<R[]>;
  publish: (row: R) => Promise<void>;
  markPublished: (tx: DbOrTx, row: R) => Promise<void>;
  recordFailure: (tx: DbOrTx, ids: string[], error: string) => Promise<void>;
}

/**
 * Publishes one call's unpublished rows oldest first, each confirmed before the next, and
 * records the outcome on the rows in the same transaction that holds their locks. A run for
 * the same call waits on those locks and then finds nothing left to do, so a re-run never
 * publishes a confirmed row again. The remaining window is a crash (or a failed commit) after
 * the broker confirmed but before the commit: the row stays queued and is published again —
 * at-least-once, with the row id as the AMQP message id for consumers to dedupe.
 * A failure stops the run so nothing later overtakes the failed row.
 */
async function publishBacklog<R extends { id: string }>(b: Backlog<R>, log: Record<string, unknown>) {
  let failure: { error: unknown; pending: number } | undefined;
  const published = await getDb().transaction(async (tx) => {
    const rows = await b.lock(tx);
    let done = 0;
    for (const [i, row] of rows.entries()) {
      try {
        await b.publish(row);
      } catch (error) {
        const pending = rows.slice(i).map((r) => r.id);
        await b.recordFailure(tx, pending, (error instanceof Error ? error.message : String(error)).slice(0, 1000));
        failure = { error, pending: pending.length };
        break;
      }
      await b.markPublished(tx, row);
      done++;
    }
    return done;
  });
  if (failure) {
    const message = failure.error instanceof Error ? failure.error.message : String(failure.error);
    logger.warn({ ...log, kind: b.kind, published, pending: failure.pending, error: message }, "RabbitMQ publish failed");
    throw new PublishFailedError(`RabbitMQ publish failed: ${message}`, failure.pending, { cause: failure.error });
  }
  return { published };
}

/** Publishes every unpublished event of one call to the call-events queue, in acceptance order. */
export async function publishCallEventBacklog(input: {
  tenantId: string;
  callId: string;
  /** The event that started this run: if an earlier run of the call already published it, stop here. */
  logId?: string;
  deadLetterOnFailure: boolean;
}) {
  if (input.logId && (await findCallEventPublishStatus(getDb(), { tenantId: input.tenantId, id: input.logId })) === "published") {
    return { published: 0 };
  }
  const queue = callEventsQueue();
  return publishBacklog<CallEventLog>(
    {
      kind: "call-event",
      lock: (tx) => lockUnpublishedCallEvents(tx, input),
      publish: (row) =>
        publishToQueue(queue, callEventMessage(row), {
          messageId: row.id,
          type: `call.${row.eventType}`,
          headers: { tenant_id: row.tenantId, call_id: row.callId },
        }),
      markPublished: (tx, row) => markCallEventPublished(tx, { id: row.id }),
      recordFailure: (tx, ids, error) => recordCallEventPublishFailure(tx, { ids, error, deadLetter: input.deadLetterOnFailure }),
    },
    { tenantId: input.tenantId, callId: input.callId, queue, deadLettered: input.deadLetterOnFailure },
  );
}

/** Publishes every unpublished operator command of one call to the call-commands queue, in order. */
export async function publishCallCommandBacklog(input: { tenantId: string; callId: string; deadLetterOnFailure: boolean }) {
  const queue = callCommandsQueue();
  return publishBacklog<CallCommand>(
    {
      kind: "call-command",
      lock: (tx) => lockUnpublishedCallCommands(tx, input),
      publish: (row) =>
        publishToQueue(queue, callCommandMessage(row), {
          messageId: row.id,
          type: `call.command.${row.command}`,
          headers: { tenant_id: row.tenantId, call_id: row.callId },
        }),
      markPublished: (tx, row) => markCallCommandPublished(tx, { id: row.id }),
      recordFailure: (tx, ids, error) => recordCallCommandPublishFailure(tx, { ids, error, deadLetter: input.deadLetterOnFailure }),
    },
    { tenantId: input.tenantId, callId: input.callId, queue, deadLettered: input.deadLetterOnFailure },
  );
}
