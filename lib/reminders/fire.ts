// Firing a run: claim it, fan its sends out in chunks, and send each chunk through the normal
// batch send path with idempotency keys derived from (event, contact, rule, channel, instant), so
// a re-run, a crash mid-fan-out, a duplicate tick or two racing workers create every message once.
import { DateTime } from "luxon";
import { getDb } from "@/db";
import { contactsInAudience, findEvent, findRuleById } from "@/db/queries/events";
import { findMessagesByIdempotencyKeys } from "@/db/queries/messages";
import { chunkStarts, claimRun, completeRunIfDone, findRun, lockChunk, resolveSends, type ChunkRow } from "@/db/queries/reminder-runs";
import { findTenantById } from "@/db/queries/tenants";
import { reminderRuns, type EventRecord, type ReminderRule, type ReminderSendStatus } from "@/db/schema/reminders";
import { sendMessageBatch } from "@/lib/messaging/send-message";
import { systemContext, type TenantContext } from "@/lib/tenancy/context";
import { BATCH_MAX_ITEMS, type BatchItemOut } from "@/lib/validations/messages";
import { and, eq, sql } from "drizzle-orm";
import { audienceWhere } from "./audience";
import { reminderNow } from "./clock";
import { planEvent } from "./plan";
import { planInstant } from "./planner";

/** Messages per chunk (one batch send); contacts per chunk follow from the rule's channels. */
export function chunkMessages(): number {
  const n = Number(process.env.HERALD_REMINDER_CHUNK_MESSAGES);
  return Number.isInteger(n) && n > 0 ? Math.min(n, BATCH_MAX_ITEMS) : BATCH_MAX_ITEMS;
}

/** The idempotency key of one reminder message: the same send always derives the same key. */
export function reminderIdempotencyKey(p: { eventId: string; contactId: string; ruleId: string; channel: string; scheduledAt: Date }): string {
  return `reminder:${p.eventId}:${p.contactId}:${p.ruleId}:${p.channel}:${p.scheduledAt.toISOString()}`;
}

/** `event.*` as templates see it: the event's fields, its local date and time, its attributes (also at the top level). */
export function eventTemplateVars(e: EventRecord): Record<string, unknown> {
  const local = DateTime.fromJSDate(e.startsAt, { zone: e.timezone });
  const vars: Record<string, unknown> = {
    ...e.attributes,
    id: e.id,
    external_id: e.externalId ?? undefined,
    title: e.title,
    description: e.description ?? undefined,
    location: e.location ?? undefined,
    timezone: e.timezone,
    starts_at: e.startsAt.toISOString(),
    starts_at_local: local.toISO(),
    date: local.toISODate(),
    time: local.toFormat("HH:mm"),
    status: e.status,
    attributes: e.attributes,
  };
  for (const [k, v] of Object.entries(vars)) if (v === undefined) delete vars[k];
  return vars;
}

export type StartResult =
  | { status: "running"; firing: number; chunks: { from: string; to: string | null }[] }
  | { status: "missing" | "not_due" | "not_scheduled" | "completed" };

/**
 * Starts a firing of a due run. List and segment audiences are re-planned first, so members who
 * joined since the plan are in it. `force` re-fans out a run that already fired, over its queued
 * sends as well (their keys make that create nothing): the benchmark's forced second firing.
 */
export async function startFiring(tenantId: string, runId: string, opts: { force?: boolean } = {}): Promise<StartResult> {
  const db = getDb();
  const now = reminderNow();
  const run = await findRun(db, { tenantId, id: runId });
  if (!run) return { status: "missing" };
  let firing: number;
  if (opts.force) {
    const [row] = await db
      .update(reminderRuns)
      .set({ status: "running", finishedAt: null, firings: sql`${reminderRuns.firings} + 1`, updatedAt: new Date() })
      .where(and(eq(reminderRuns.tenantId, tenantId), eq(reminderRuns.id, runId), sql`${reminderRuns.status} in ('running', 'completed')`))
      .returning();
    if (!row) return { status: "not_scheduled" };
    firing = row.firings;
  } else {
    if (run.status !== "scheduled") return { status: "not_scheduled" };
    if (run.scheduledAt.getTime() > now.getTime()) return { status: "not_due" };
    const event = await findEvent(db, { tenantId, id: run.eventId });
    if (event && event.audienceKind !== "contacts") await planEvent(tenantId, run.eventId);
    const claimed = await claimRun(db, { tenantId, id: runId, now });
    if (!claimed) return { status: "not_scheduled" };
    firing = claimed.firings;
  }
  const rule = await findRuleById(db, { tenantId, id: run.ruleId });
  const perContact = rule ? (rule.channelPolicy === "first_available" ? 1 : rule.channels.length) : 1;
  const starts = await chunkStarts(db, { runId, size: Math.max(1, Math.floor(chunkMessages() / perContact)), statuses: opts.force ? ["planned", "queued"] : ["planned"] });
  if (starts.length === 0) {
    await completeRunIfDone(db, { tenantId, id: runId });
    return { status: "completed" };
  }
  return { status: "running", firing, chunks: starts.map((from, i) => ({ from, to: starts[i + 1] ?? null })) };
}

/** Sends that could not go now (tenant quota, a key still committing elsewhere): the chunk runs again. */
export class ChunkRetryLater extends Error {
  constructor(readonly pending: number) {
    super(`${pending} reminder sends must wait (quota or an idempotency key still committing); the chunk runs again`);
    this.name = "ChunkRetryLater";
  }
}

/** Refusals that say the channel cannot reach this contact: a first-available rule tries the next one. */
const UNAVAILABLE: Record<string, string> = {
  COMM_UNSUBSCRIBED: "unsubscribed",
  COMM_NO_ADDRESS: "no_address",
  COMM_SUPPRESSED: "suppressed",
  COMM_INVALID_RECIPIENT: "invalid_address",
  COMM_NO_ROUTE: "no_route",
};

interface Resolution {
  contactId: string;
  channel: string;
  newChannel?: string;
  status: ReminderSendStatus;
  reason: string | null;
  messageId: string | null;
}

/**
 * One chunk of a firing: the run's sends of contacts in [from, to), locked while they are sent so
 * a racing worker (or a re-plan, or a cancel) waits and then finds them resolved.
 */
export async function sendRunChunk(input: { tenantId: string; runId: string; from: string; to: string | null; force?: boolean }) {
  const db = getDb();
  const run = await findRun(db, { tenantId: input.tenantId, id: input.runId });
  if (!run || run.status !== "running") return { status: run ? run.status : "missing", sent: 0 };
  const [event, rule, tenant] = await Promise.all([
    findEvent(db, { tenantId: input.tenantId, id: run.eventId }),
    findRuleById(db, { tenantId: input.tenantId, id: run.ruleId }),
    findTenantById(db, { tenantId: input.tenantId }),
  ]);
  if (!event || !rule || !tenant) return { status: "missing", sent: 0 };
  const ctx = systemContext(tenant, "reminders");
  const where = await audienceWhere(db, event);
  const statuses: ReminderSendStatus[] = input.force ? ["planned", "queued"] : ["planned"];
  let waiting = 0;
  const outcome = await db.transaction(async (tx) => {
    const rows = await lockChunk(tx, { runId: run.id, from: input.from, to: input.to, statuses });
    if (rows.length === 0) return { sent: 0, resolved: 0 };
    // Whoever left the audience since the plan is withdrawn, not sent.
    const present = new Map((await contactsInAudience(tx, { tenantId: input.tenantId, where, ids: [...new Set(rows.map((r) => r.contactId))] })).map((c) => [c.id, c.timezone]));
    const resolutions: Resolution[] = [];
    const toSend: ChunkRow[] = [];
    for (const r of rows) {
      if (r.status === "planned" && !present.has(r.contactId)) resolutions.push({ contactId: r.contactId, channel: r.channel, status: "cancelled", reason: "removed_from_audience", messageId: null });
      else if (r.status === "planned" && r.reason) resolutions.push({ contactId: r.contactId, channel: r.channel, status: "skipped", reason: r.reason, messageId: null });
      else toSend.push(r);
    }
    const sent = await sendRows(ctx, { event, rule, runId: run.id, rows: toSend, zones: present, now: reminderNow() });
    resolutions.push(...sent.resolutions);
    waiting = sent.waiting;
    await resolveSends(tx, { ruleId: rule.id, rows: resolutions });
    return { sent: sent.created, resolved: resolutions.length };
  });
  await completeRunIfDone(db, { tenantId: input.tenantId, id: run.id });
  if (waiting > 0) throw new ChunkRetryLater(waiting);
  return { status: "done", ...outcome };
}

/**
 * Sends rows through the batch send path (≤ 1,000 per call). Under `first_available`, a contact
 * the channel cannot reach is tried on the next channel of the rule whose quiet hours allow it now.
 */
async function sendRows(
  ctx: TenantContext,
  p: { event: EventRecord; rule: ReminderRule; runId: string; rows: ChunkRow[]; zones: Map<string, string | null>; now: Date },
): Promise<{ resolutions: Resolution[]; created: number; waiting: number }> {
  const resolutions: Resolution[] = [];
  let created = 0;
  let waiting = 0;
  const templates = new Map(p.rule.channels.map((c) => [c.channel, c.template]));
  const order = p.rule.channels.map((c) => c.channel);
  const eventVars = eventTemplateVars(p.event);
  // Each attempt: a planned row (its original channel) and the channel to try now.
  let attempts = p.rows.map((row) => ({ row, channel: row.channel as string }));
  while (attempts.length > 0) {
    const next: typeof attempts = [];
    for (let i = 0; i < attempts.length; i += BATCH_MAX_ITEMS) {
      const batch = attempts.slice(i, i + BATCH_MAX_ITEMS);
      const items = batch.map(({ row, channel }) => ({
        channel,
        contact_id: row.contactId,
        template: templates.get(channel as ChunkRow["channel"]),
        subscription_topic: "reminders",
        idempotency_key: reminderIdempotencyKey({ eventId: p.event.id, contactId: row.contactId, ruleId: p.rule.id, channel, scheduledAt: row.scheduledAt }),
        context: { herald_reminder: { event_id: p.event.id, rule_id: p.rule.id, run_id: p.runId } },
      }));
      const result = await sendMessageBatch(ctx, items, { endpoint: "reminders/fire", reminder: { runId: p.runId, event: eventVars } });
      const reused = items.filter((_, j) => result.results[j]!.error?.code === "idempotency_key_reused").map((it) => it.idempotency_key);
      const existing = new Map((await findMessagesByIdempotencyKeys(getDb(), { tenantId: ctx.tenantId, keys: reused })).map((m) => [m.idempotencyKey!, m.id]));
      batch.forEach(({ row, channel }, j) => {
        const r: BatchItemOut = result.results[j]!;
        const base = { contactId: row.contactId, channel: row.channel, ...(channel !== row.channel ? { newChannel: channel } : {}) };
        if (r.status === 202 || r.status === 200) {
          if (r.status === 202) created++;
          resolutions.push({ ...base, status: "queued", reason: null, messageId: r.result!.id });
          return;
        }
        const code = r.error?.code ?? "unknown";
        if (code === "idempotency_key_reused") {
          // The same send under this key exists (its content moved on since): it is this send's message.
          const id = existing.get(items[j]!.idempotency_key);
          if (id) resolutions.push({ ...base, status: "queued", reason: null, messageId: id });
          else waiting++;
          return;
        }
        if (r.status === 429 || r.status === 409) {
          waiting++;
          return;
        }
        const unavailable = UNAVAILABLE[code];
        if (unavailable && p.rule.channelPolicy === "first_available") {
          const fallback = nextChannel(order, channel, p, row);
          if (fallback) {
            next.push({ row, channel: fallback });
            return;
          }
        }
        if (unavailable) resolutions.push({ ...base, status: "skipped", reason: unavailable, messageId: null });
        else if (r.status === 404) resolutions.push({ ...base, status: "cancelled", reason: "contact_erased", messageId: null });
        else resolutions.push({ ...base, status: "failed", reason: code.startsWith("TEMPLATE_") ? code.toLowerCase() : `refused: ${code}`, messageId: null });
      });
    }
    attempts = next;
  }
  return { resolutions, created, waiting };
}

/** The next channel after `current` whose quiet hours let it go now (the recipient's zone). */
function nextChannel(order: string[], current: string, p: { event: EventRecord; rule: ReminderRule; zones: Map<string, string | null>; now: Date }, row: ChunkRow): string | null {
  for (const channel of order.slice(order.indexOf(current) + 1)) {
    const planned = planInstant({ timing: { kind: "absolute", at: p.now.toISOString() }, quietHours: p.rule.quietHours }, p.event, p.zones.get(row.contactId) ?? null, channel);
    if (!planned.skip && planned.at.getTime() <= p.now.getTime()) return channel;
  }
  return null;
}
