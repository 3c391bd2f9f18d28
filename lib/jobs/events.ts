import { z } from "zod";

const messageQueued = z.object({
  tenantId: z.string().uuid(),
  messageId: z.string().uuid(),
  /** Set on a delivery re-scheduled by back-pressure or an open breaker: when the waiting began. */
  deferredSince: z.string().datetime().optional(),
  /** `priority`: OTPs, run ahead of every tenant's backlog (own queue on pg-boss, run priority on Inngest). */
  lane: z.enum(["priority"]).optional(),
});

/**
 * Every event Herald's workflows react to, with its payload schema. Both engines validate
 * against these before running a workflow, so a malformed event fails fast and visibly.
 * Lives in lib/ because both engines and lib/ read it; inngest/ only binds it.
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
  /** A message was accepted (same transaction as its row): deliver it along its route. */
  "herald/message.queued": messageQueued,
  /** The same for the priority lane (OTPs): its own workers, so it never waits for a campaign's. */
  "herald/message.priority-queued": messageQueued,
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
  /**
   * An inbound message came with a file the provider holds (WhatsApp: for 7 days), committed with
   * the message: download it into Herald's storage, linked to the message.
   */
  "herald/inbound-media.received": z.object({
    tenantId: z.string().uuid(),
    messageId: z.string().uuid(),
    configId: z.string().uuid(),
    providerMediaId: z.string().min(1).max(200),
    kind: z.string().min(1).max(40),
    mimeType: z.string().max(200).optional(),
    filename: z.string().max(255).optional(),
  }),
  /** The stuck-work sweeper's schedule (cron, once a minute across processes); carries nothing. */
  "herald/stuck-work.sweep": z.object({}),
  /** The quota-alert check's schedule (cron, every five minutes across processes); carries nothing. */
  "herald/quota-alerts.check": z.object({}),
  /** A retention slot began (one event per slot, whichever process emits it): purge expired rows. */
  "herald/retention.due": z.object({
    slot: z.string().min(1),
  }),
  /**
   * A contact was erased (GDPR), committed with the erasure: integrations that mirror contacts
   * (Customer.io, CRM sync) delete it on their side. Carries ids only, never personal data.
   */
  "herald/contact.erased": z.object({
    tenantId: z.string().uuid(),
    contactId: z.string().uuid(),
    externalId: z.string().nullable(),
  }),
  /** A reminder run's instant has come (a delayed job from the planner, or the tick): fire it. */
  "herald/reminder-run.due": z.object({
    tenantId: z.string().uuid(),
    runId: z.string().uuid(),
    /** Fan out again a run that already fired (queued sends too; their keys make that create nothing). */
    force: z.boolean().optional(),
  }),
  /** One chunk of a run's fan-out: the sends of contacts in [from, to) (to null = the rest). */
  "herald/reminder-chunk.due": z.object({
    tenantId: z.string().uuid(),
    runId: z.string().uuid(),
    firing: z.number().int().min(1),
    from: z.string().uuid(),
    to: z.string().uuid().nullable(),
    /** Re-send already queued sends too (their idempotency keys make that create nothing): a forced re-firing. */
    force: z.boolean().optional(),
  }),
  /**
   * Customer.io changes are waiting (queued by the change triggers, a resync, a replay or a retry
   * delay): run the tenant's sync until nothing is due.
   */
  "herald/customerio.sync-due": z.object({
    tenantId: z.string().uuid(),
    integrationId: z.string().uuid(),
  }),
  /** A full Customer.io resync was asked for (committed with its audit): mark everything, then sync. */
  "herald/customerio.resync-due": z.object({
    tenantId: z.string().uuid(),
    integrationId: z.string().uuid(),
    b2c: z.boolean(),
    b2b: z.boolean(),
    startedAt: z.string().datetime(),
  }),
  /** The Customer.io sweep's schedule (cron, once a minute): queues a run where rows are due and none is queued. */
  "herald/customerio.sweep": z.object({}),
  /** A Kommo full sync was started (generation `generation`): load every page and push it to Unisender. */
  "herald/kommo-sync.requested": z.object({
    tenantId: z.string().uuid(),
    integrationId: z.string().uuid(),
    generation: z.number().int().min(1),
  }),
  /** Kommo webhook deliveries were recorded (same transaction): apply the integration's pending ones in order. */
  "herald/kommo-webhooks.received": z.object({
    tenantId: z.string().uuid(),
    integrationId: z.string().uuid(),
  }),
  /** The Kommo token refresh's schedule (cron); carries nothing. */
  "herald/kommo-tokens.refresh": z.object({}),
  /** The delivery-report poll's schedule (cron, once a minute across processes); carries nothing. */
  "herald/delivery-reports.poll": z.object({}),
  /** The reminder tick's schedule (cron, once a minute across processes); carries nothing. */
  "herald/reminders.tick": z.object({}),
} as const;

export type EventName = keyof typeof eventSchemas;
export type EventData<N extends EventName> = z.output<(typeof eventSchemas)[N]>;

export interface HeraldEvent<N extends EventName = EventName> {
  name: N;
  data: EventData<N>;
  /** Deterministic id: the engines drop a second event with the same id. */
  id?: string;
}
