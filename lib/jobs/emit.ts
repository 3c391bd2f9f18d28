import { getDb, type DbOrTx } from "@/db";
import { insertOutboxEvents } from "@/db/queries/jobs";
import { eventSchemas, type EventData, type EventName } from "@/lib/jobs/events";

export interface EmitOptions {
  tenantId?: string | null;
  /** A stable id makes the emit idempotent: a second row with the same id is dropped. */
  id?: string;
  /** Delay the workflow run until this time (both engines hold the job; no worker waits). */
  startAfter?: Date;
}

/**
 * Emits an event for the workflows, engine-agnostic. Pass the caller's transaction so the
 * event commits (or rolls back) with the change that caused it — the transactional outbox.
 */
export async function emitEvent<N extends EventName>(
  name: N,
  data: EventData<N>,
  opts: EmitOptions & { db?: DbOrTx } = {},
): Promise<void> {
  const payload = eventSchemas[name].parse(data) as Record<string, unknown>;
  await insertOutboxEvents(opts.db ?? getDb(), [{ id: opts.id, tenantId: opts.tenantId ?? null, name, payload, startAfter: opts.startAfter ?? null }]);
}

export async function emitEvents(db: DbOrTx, events: EventToEmit[]): Promise<void> {
  await insertOutboxEvents(db, outboxRows(events));
}

export interface EventToEmit {
  name: EventName;
  data: Record<string, unknown>;
  tenantId?: string | null;
  id?: string;
  /** Not before this time (a delayed job on both engines). */
  startAfter?: Date | null;
}

/**
 * The outbox rows of these events, each payload validated against its event schema (throws on a
 * bad payload): for a query that writes the outbox inside a larger statement of its own.
 */
export function outboxRows<E extends EventToEmit>(events: E[]) {
  return events.map((e) => ({
    id: e.id as E["id"],
    tenantId: e.tenantId ?? null,
    name: e.name,
    payload: eventSchemas[e.name].parse(e.data) as Record<string, unknown>,
    ...(e.startAfter ? { startAfter: e.startAfter } : {}),
  }));
}
