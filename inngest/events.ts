import { z } from "zod";

/**
 * Every event Herald's workflows react to, with its payload schema. Both engines validate
 * against these before running a workflow, so a malformed event fails fast and visibly.
 * Later features add their events here.
 */
export const eventSchemas = {
  /** Schools created, changed or deleted (or imported): re-sync them to the search index. */
  "herald/schools.changed": z.object({
    tenantId: z.string().uuid(),
    schoolIds: z.array(z.string().uuid()).min(1).max(1000),
  }),
  "herald/api-key.used": z.object({
    tenantId: z.string().uuid(),
    apiKeyId: z.string().uuid(),
    usedAt: z.string().datetime(),
  }),
  /** A call event was logged (or its dead-lettered publish retried): publish the call's backlog. */
  "herald/call-event.logged": z.object({
    tenantId: z.string().uuid(),
    callId: z.string().min(1),
    logId: z.string().uuid(),
  }),
  /** An operator forwarded or hung up a call: send the command to the telephony server. */
  "herald/call-command.requested": z.object({
    tenantId: z.string().uuid(),
    callId: z.string().min(1),
    commandId: z.string().uuid(),
  }),
  /** A message was accepted (same transaction as its row): deliver it along its route. */
  "herald/message.queued": z.object({
    tenantId: z.string().uuid(),
    messageId: z.string().uuid(),
    /** Set on a delivery re-scheduled by back-pressure or an open breaker: when the waiting began. */
    deferredSince: z.string().datetime().optional(),
  }),
  /** A communication.* event could not be published inline: retry it with backoff, then dead-letter. */
  "herald/communication-event.publish": z.object({
    tenantId: z.string().uuid(),
    eventId: z.string().uuid(),
  }),
  /** Provider webhook events were recorded (same transaction): apply the tenant's pending ones. */
  "herald/webhook-events.received": z.object({
    tenantId: z.string().uuid(),
    count: z.number().int().min(1),
  }),
  /** An outbound webhook delivery is due (now, or a retry scheduled with startAfter): attempt it once. */
  "herald/webhook-delivery.due": z.object({
    tenantId: z.string().uuid(),
    deliveryId: z.string().uuid(),
    /** Attempts already made when this one was scheduled; a stale event (count moved on) does nothing. */
    attempt: z.number().int().min(0),
  }),
} as const;

export type EventName = keyof typeof eventSchemas;
export type EventData<N extends EventName> = z.output<(typeof eventSchemas)[N]>;

export interface HeraldEvent<N extends EventName = EventName> {
  name: N;
  data: EventData<N>;
  /** Deterministic id: the engines drop a second event with the same id. */
  id?: string;
}
