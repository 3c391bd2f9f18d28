// Events and their reminders: create, upsert by external id, change (a move re-plans what has not
// been sent), cancel (pending reminders withdrawn, an optional notice sent), and the rules on them.
import { getDb, type DbOrTx } from "@/db";
import {
  cancelRules,
  countAudience,
  eventSummaries,
  findEvent,
  findEventByExternalId,
  findPresetsByIds,
  findRule,
  insertEvent,
  insertRules,
  listEventContactIds,
  listEvents as listEventRows,
  listRules,
  nextRunsOfRules,
  replaceEventContacts,
  updateEvent as updateEventRow,
  updateRule,
  upsertEventByExternalId as upsertEventRow,
  type NewEvent,
} from "@/db/queries/events";
import { findList } from "@/db/queries/lists";
import { cancelPlanned } from "@/db/queries/reminder-plan";
import { findTemplateCategories } from "@/db/queries/templates";
import type { CancellationNotice, EventRecord, ReminderRule, RuleChannel, RuleSpec } from "@/db/schema/reminders";
import { ApiError } from "@/lib/api/errors";
import { decodeTimeIdCursor, encodeTimeIdCursor } from "@/lib/api/cursor";
import { recordAudit } from "@/lib/audit/record-audit";
import { isUniqueViolation } from "@/lib/schools/schools";
import type { TenantContext } from "@/lib/tenancy/context";
import {
  EVENT_CONTACTS_MAX,
  eventDetailOut,
  eventListOut,
  eventOut,
  formatOffset,
  reminderOut,
  type AudienceBody,
  type CreateEventBody,
  type EventDetailOut,
  type EventListOut,
  type EventOut,
  type ListEventsQuery,
  type PatchReminderBody,
  type ReminderOut,
  type UpdateEventBody,
  type UpsertEventBody,
} from "@/lib/validations/reminders";
import { audienceWhere } from "./audience";
import { reminderNow } from "./clock";
import { planEvent } from "./plan";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

// ---------------------------------------------------------------------------------------------
// Answers

export function ruleSpecOut(r: { name: string; timing: RuleSpec["timing"]; channels: RuleChannel[]; channelPolicy: RuleSpec["channel_policy"]; quietHours: RuleSpec["quiet_hours"]; catchUp: boolean }) {
  const t = r.timing;
  return {
    name: r.name,
    timing:
      t.kind === "offset"
        ? { kind: t.kind, offset: formatOffset(t.minutes), minutes: t.minutes }
        : t.kind === "absolute"
          ? { kind: t.kind, at: t.at }
          : { kind: t.kind, days_before: t.days_before, local_time: t.time },
    channels: r.channels,
    channel_policy: r.channelPolicy,
    quiet_hours: r.quietHours,
    catch_up: r.catchUp,
  };
}

function toReminderOut(r: ReminderRule, nextAt: Date | undefined): ReminderOut {
  return reminderOut.parse({
    ...ruleSpecOut(r),
    id: r.id,
    event_id: r.eventId,
    purpose: r.purpose,
    preset_id: r.presetId,
    status: r.status,
    next_firing_at: iso(nextAt ?? null),
    created_at: r.createdAt.toISOString(),
    updated_at: r.updatedAt.toISOString(),
  });
}

function audienceOut(e: EventRecord, contactIds?: string[]) {
  switch (e.audienceKind) {
    case "list":
      return { kind: e.audienceKind, list_id: e.audienceListId };
    case "segment":
      return { kind: e.audienceKind, segment: e.audienceSegment };
    case "contacts":
      return { kind: e.audienceKind, ...(contactIds ? { contact_ids: contactIds } : {}) };
  }
}

type Summary = Awaited<ReturnType<typeof eventSummaries>> extends Map<string, infer V> ? V : never;

function toEventOut(e: EventRecord, s: Summary | undefined, contactIds?: string[]): EventOut {
  return eventOut.parse({
    id: e.id,
    external_id: e.externalId,
    title: e.title,
    description: e.description,
    starts_at: e.startsAt.toISOString(),
    timezone: e.timezone,
    location: e.location,
    attributes: e.attributes,
    status: e.status,
    audience: audienceOut(e, contactIds),
    cancellation_notice: e.cancellationNotice,
    cancelled_at: iso(e.cancelledAt),
    next_firing: s?.next ? { run_id: s.next.runId, rule_id: s.next.ruleId, rule_name: s.next.ruleName, at: s.next.at.toISOString() } : null,
    reminders_count: s?.reminders ?? 0,
    created_at: e.createdAt.toISOString(),
    updated_at: e.updatedAt.toISOString(),
  });
}

export async function getEvent(ctx: TenantContext, id: string): Promise<EventDetailOut> {
  const db = getDb();
  const e = await mustFindEvent(ctx, id);
  const [summaries, rules, contactIds, count] = await Promise.all([
    eventSummaries(db, { tenantId: ctx.tenantId, eventIds: [id] }),
    listRules(db, { tenantId: ctx.tenantId, eventId: id, includeCancelled: true }),
    e.audienceKind === "contacts" ? listEventContactIds(db, { tenantId: ctx.tenantId, eventId: id, limit: EVENT_CONTACTS_MAX }) : Promise.resolve(undefined),
    audienceWhere(db, e).then((where) => countAudience(db, { tenantId: ctx.tenantId, where })),
  ]);
  const next = await nextRunsOfRules(db, { tenantId: ctx.tenantId, ruleIds: rules.map((r) => r.id) });
  return eventDetailOut.parse({
    ...toEventOut(e, summaries.get(id), contactIds),
    reminders: rules.map((r) => toReminderOut(r, next.get(r.id))),
    audience_count: count,
  });
}

export async function listEvents(ctx: TenantContext, q: ListEventsQuery): Promise<EventListOut> {
  const db = getDb();
  const rows = await listEventRows(db, {
    tenantId: ctx.tenantId,
    when: q.when,
    status: q.status,
    q: q.q,
    after: q.cursor ? decodeTimeIdCursor(q.cursor) : undefined,
    now: reminderNow(),
    limit: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const summaries = await eventSummaries(db, { tenantId: ctx.tenantId, eventIds: page.map((e) => e.id) });
  const last = page.at(-1);
  return eventListOut.parse({
    data: page.map((e) => toEventOut(e, summaries.get(e.id))),
    next_cursor: rows.length > q.limit && last ? encodeTimeIdCursor(last.startsAt, last.id) : null,
  });
}

// ---------------------------------------------------------------------------------------------
// Checks

export async function getEventRecord(ctx: TenantContext, id: string): Promise<EventRecord> {
  return mustFindEvent(ctx, id);
}

async function mustFindEvent(ctx: TenantContext, id: string, db: DbOrTx = getDb()): Promise<EventRecord> {
  const e = await findEvent(db, { tenantId: ctx.tenantId, id });
  if (!e) throw ApiError.notFound("Event");
  return e;
}

/** Every template a rule names must exist (publishing may come later; the preview says what is missing). */
async function assertTemplates(ctx: TenantContext, groups: { path: string; channels: RuleChannel[] }[]) {
  const keys = [...new Set(groups.flatMap((g) => g.channels.map((c) => c.template)))];
  if (keys.length === 0) return;
  const found = new Set((await findTemplateCategories(getDb(), { tenantId: ctx.tenantId, keys })).map((r) => r.key));
  const details = groups.flatMap((g) =>
    g.channels.flatMap((c, i) => (found.has(c.template) ? [] : [{ path: `${g.path}[${i}].template`, message: `No template with the key ${c.template}` }])),
  );
  if (details.length > 0) throw new ApiError({ code: "validation_failed", message: "A reminder names a template that does not exist", details });
}

async function assertAudience(ctx: TenantContext, a: AudienceBody | undefined) {
  if (a?.kind !== "list") return;
  if (!(await findList(getDb(), { tenantId: ctx.tenantId, id: a.list_id }))) {
    throw new ApiError({ code: "validation_failed", message: "The audience names a list that does not exist", details: [{ path: "audience.list_id", message: "No such list" }] });
  }
}

function unknownContacts(ids: string[]) {
  return new ApiError({
    code: "validation_failed",
    message: "The audience names contacts that do not exist",
    details: ids.slice(0, 100).map((id) => ({ path: "audience.contact_ids", message: `No contact ${id}`, contact_id: id })),
  });
}

function audienceColumns(a: AudienceBody): Pick<NewEvent, "audienceKind" | "audienceListId" | "audienceSegment"> {
  return {
    audienceKind: a.kind,
    audienceListId: a.kind === "list" ? a.list_id : null,
    audienceSegment: a.kind === "segment" ? (a.segment as unknown as Record<string, unknown>) : null,
  };
}

function ruleRow(ctx: TenantContext, eventId: string, spec: RuleSpec, presetId: string | null = null) {
  return {
    tenantId: ctx.tenantId,
    eventId,
    name: spec.name,
    timing: spec.timing,
    channels: spec.channels,
    channelPolicy: spec.channel_policy,
    quietHours: spec.quiet_hours,
    catchUp: spec.catch_up,
    presetId,
  };
}

/** The rules a body asks for: its `reminders`, then its presets' (404-free: unknown presets are a 422). */
async function requestedRules(ctx: TenantContext, body: { reminders?: RuleSpec[]; preset_ids?: string[] }) {
  const presets = await findPresetsByIds(getDb(), { tenantId: ctx.tenantId, ids: [...new Set(body.preset_ids ?? [])] });
  const missing = (body.preset_ids ?? []).filter((id) => !presets.some((p) => p.id === id));
  if (missing.length > 0) {
    throw new ApiError({ code: "validation_failed", message: "Unknown reminder preset", details: missing.map((id) => ({ path: "preset_ids", message: `No preset ${id}` })) });
  }
  const specs: { spec: RuleSpec; presetId: string | null }[] = [...(body.reminders ?? []).map((spec) => ({ spec, presetId: null })), ...presets.map((p) => ({ spec: p.rule, presetId: p.id }))];
  await assertTemplates(ctx, specs.map((s, i) => ({ path: i < (body.reminders?.length ?? 0) ? `reminders[${i}].channels` : "preset_ids", channels: s.spec.channels })));
  return specs;
}

// ---------------------------------------------------------------------------------------------
// Changes

/** Plans after the change committed; a crash in between is repaired by the tick (plan_requested_at). */
async function planned(ctx: TenantContext, id: string) {
  await planEvent(ctx.tenantId, id);
  return getEvent(ctx, id);
}

export async function createEvent(ctx: TenantContext, body: CreateEventBody): Promise<EventDetailOut> {
  await assertAudience(ctx, body.audience);
  if (body.cancellation_notice) await assertTemplates(ctx, [{ path: "cancellation_notice.channels", channels: body.cancellation_notice.channels }]);
  const rules = await requestedRules(ctx, body);
  let event: EventRecord;
  try {
    event = await getDb().transaction(async (tx) => {
      const e = await insertEvent(tx, {
        tenantId: ctx.tenantId,
        externalId: body.external_id ?? null,
        title: body.title,
        description: body.description ?? null,
        startsAt: new Date(body.starts_at),
        timezone: body.timezone,
        location: body.location ?? null,
        attributes: body.attributes ?? {},
        cancellationNotice: body.cancellation_notice ?? null,
        ...audienceColumns(body.audience),
      });
      if (body.audience.kind === "contacts") {
        const unknown = await replaceEventContacts(tx, { tenantId: ctx.tenantId, eventId: e.id, contactIds: body.audience.contact_ids });
        if (unknown.length > 0) throw unknownContacts(unknown);
      }
      await insertRules(tx, rules.map((r) => ruleRow(ctx, e.id, r.spec, r.presetId)));
      await recordAudit(tx, ctx, { action: "event.created", targetType: "event", targetId: e.id, details: { title: e.title, starts_at: e.startsAt.toISOString(), reminders: rules.length } });
      return e;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw ApiError.conflict(`An event with the external_id ${body.external_id} already exists; PUT /api/v1/events/by-external-id/{external_id} updates it.`, [{ path: "external_id", message: "Already in use" }]);
    throw err;
  }
  return planned(ctx, event.id);
}

/** Spec identity, for a PUT that repeats the same reminders: they are kept, not re-created. */
function specKey(s: RuleSpec | ReturnType<typeof specOfRow>): string {
  return JSON.stringify([s.name, s.timing, s.channels, s.channel_policy, s.quiet_hours, s.catch_up]);
}

function specOfRow(r: ReminderRule): RuleSpec {
  return { name: r.name, timing: r.timing, channels: r.channels, channel_policy: r.channelPolicy, quiet_hours: r.quietHours, catch_up: r.catchUp };
}

/** PUT by external id: an idempotent upsert; `reminders`/`preset_ids`, when given, are the event's whole set of reminders. */
export async function upsertEventByExternalId(ctx: TenantContext, externalId: string, body: UpsertEventBody): Promise<{ created: boolean; event: EventDetailOut }> {
  await assertAudience(ctx, body.audience);
  if (body.cancellation_notice) await assertTemplates(ctx, [{ path: "cancellation_notice.channels", channels: body.cancellation_notice.channels }]);
  const replaceRules = body.reminders !== undefined || body.preset_ids !== undefined;
  const rules = replaceRules ? await requestedRules(ctx, body) : [];
  const { event, created } = await getDb().transaction(async (tx) => {
    const before = await findEventByExternalId(tx, { tenantId: ctx.tenantId, externalId, forUpdate: true });
    if (before?.status === "cancelled") throw ApiError.conflict("This event is cancelled; create a new one (a new external_id) for a new date.");
    const e = await upsertEventRow(tx, {
      tenantId: ctx.tenantId,
      externalId,
      title: body.title,
      description: body.description ?? null,
      startsAt: new Date(body.starts_at),
      timezone: body.timezone,
      location: body.location ?? null,
      attributes: body.attributes ?? {},
      cancellationNotice: body.cancellation_notice ?? null,
      planRequestedAt: new Date(),
      ...audienceColumns(body.audience),
    });
    const created = !before && e.createdAt.getTime() === e.updatedAt.getTime();
    if (body.audience.kind === "contacts") {
      const unknown = await replaceEventContacts(tx, { tenantId: ctx.tenantId, eventId: e.id, contactIds: body.audience.contact_ids });
      if (unknown.length > 0) throw unknownContacts(unknown);
    }
    if (replaceRules) {
      const current = (await listRules(tx, { tenantId: ctx.tenantId, eventId: e.id })).filter((r) => r.purpose === "reminder");
      const wanted = new Map(rules.map((r) => [specKey(r.spec), r]));
      const keep = new Set<string>();
      const drop: string[] = [];
      for (const r of current) {
        const k = specKey(specOfRow(r));
        if (wanted.has(k) && !keep.has(k)) keep.add(k);
        else drop.push(r.id);
      }
      await cancelRules(tx, { tenantId: ctx.tenantId, ids: drop });
      if (drop.length) await cancelPlanned(tx, { tenantId: ctx.tenantId, eventId: e.id, ruleIds: drop, reason: "rule_cancelled", now: reminderNow() });
      await insertRules(tx, [...wanted.entries()].filter(([k]) => !keep.has(k)).map(([, r]) => ruleRow(ctx, e.id, r.spec, r.presetId)));
    }
    // The start moved: the event is `moved`, and the plan follows it.
    const moved = before !== undefined && before.startsAt.getTime() !== e.startsAt.getTime();
    if (moved) await updateEventRow(tx, { tenantId: ctx.tenantId, id: e.id, values: { status: "moved" } });
    await recordAudit(tx, ctx, { action: created ? "event.created" : "event.updated", targetType: "event", targetId: e.id, details: { external_id: externalId } });
    return { event: e, created };
  });
  return { created, event: await planned(ctx, event.id) };
}

export async function updateEvent(ctx: TenantContext, id: string, body: UpdateEventBody): Promise<EventDetailOut> {
  await assertAudience(ctx, body.audience);
  if (body.cancellation_notice) await assertTemplates(ctx, [{ path: "cancellation_notice.channels", channels: body.cancellation_notice.channels }]);
  await getDb().transaction(async (tx) => {
    const current = await findEvent(tx, { tenantId: ctx.tenantId, id, forUpdate: true });
    if (!current) throw ApiError.notFound("Event");
    if (current.status === "cancelled") throw ApiError.conflict("This event is cancelled and can no longer change.");
    const startsAt = body.starts_at !== undefined ? new Date(body.starts_at) : undefined;
    const moved = startsAt !== undefined && startsAt.getTime() !== current.startsAt.getTime();
    await updateEventRow(tx, {
      tenantId: ctx.tenantId,
      id,
      values: {
        ...(body.title !== undefined ? { title: body.title } : {}),
        ...(body.description !== undefined ? { description: body.description } : {}),
        ...(startsAt ? { startsAt } : {}),
        ...(body.timezone !== undefined ? { timezone: body.timezone } : {}),
        ...(body.location !== undefined ? { location: body.location } : {}),
        ...(body.attributes !== undefined ? { attributes: body.attributes } : {}),
        ...(body.cancellation_notice !== undefined ? { cancellationNotice: body.cancellation_notice } : {}),
        ...(body.audience ? audienceColumns(body.audience) : {}),
        ...(moved ? { status: "moved" as const } : {}),
        planRequestedAt: new Date(),
      },
    });
    if (body.audience?.kind === "contacts") {
      const unknown = await replaceEventContacts(tx, { tenantId: ctx.tenantId, eventId: id, contactIds: body.audience.contact_ids });
      if (unknown.length > 0) throw unknownContacts(unknown);
    }
    await recordAudit(tx, ctx, {
      action: moved ? "event.moved" : "event.updated",
      targetType: "event",
      targetId: id,
      details: { fields: Object.keys(body), ...(moved ? { from: current.startsAt.toISOString(), starts_at: startsAt!.toISOString() } : {}) },
    });
  });
  return planned(ctx, id);
}

/**
 * Cancels the event: every reminder not sent yet is withdrawn, runs not finished stop, and when
 * the event has a cancellation notice it goes to the audience now (a rule of its own, fired like
 * any other). Cancelling again changes nothing.
 */
export async function cancelEvent(ctx: TenantContext, id: string): Promise<EventDetailOut> {
  await getDb().transaction(async (tx) => {
    const current = await findEvent(tx, { tenantId: ctx.tenantId, id, forUpdate: true });
    if (!current) throw ApiError.notFound("Event");
    if (current.status === "cancelled") return;
    const now = reminderNow();
    await updateEventRow(tx, { tenantId: ctx.tenantId, id, values: { status: "cancelled", cancelledAt: now, planRequestedAt: new Date() } });
    await cancelPlanned(tx, { tenantId: ctx.tenantId, eventId: id, reason: "event_cancelled", now });
    const notice: CancellationNotice | null = current.cancellationNotice;
    if (notice) {
      await insertRules(tx, [
        {
          ...ruleRow(ctx, id, { name: "Cancellation notice", timing: { kind: "absolute", at: now.toISOString() }, channels: notice.channels, channel_policy: notice.channel_policy, quiet_hours: null, catch_up: false }),
          purpose: "cancellation_notice",
        },
      ]);
    }
    await recordAudit(tx, ctx, { action: "event.cancelled", targetType: "event", targetId: id, details: { notice: notice !== null } });
  });
  return planned(ctx, id);
}

// ---------------------------------------------------------------------------------------------
// Reminders on an event

export async function listReminders(ctx: TenantContext, eventId: string): Promise<{ data: ReminderOut[] }> {
  await mustFindEvent(ctx, eventId);
  const rules = await listRules(getDb(), { tenantId: ctx.tenantId, eventId, includeCancelled: true });
  const next = await nextRunsOfRules(getDb(), { tenantId: ctx.tenantId, ruleIds: rules.map((r) => r.id) });
  return { data: rules.map((r) => toReminderOut(r, next.get(r.id))) };
}

async function reminderAnswer(ctx: TenantContext, eventId: string, ruleId: string): Promise<ReminderOut> {
  const rule = await findRule(getDb(), { tenantId: ctx.tenantId, eventId, id: ruleId });
  if (!rule) throw ApiError.notFound("Reminder");
  const next = await nextRunsOfRules(getDb(), { tenantId: ctx.tenantId, ruleIds: [ruleId] });
  return toReminderOut(rule, next.get(ruleId));
}

/** Adds a rule (or a copy of a preset) to an event that is not cancelled, and plans it. */
export async function addReminder(ctx: TenantContext, eventId: string, body: RuleSpec | { preset_id: string }): Promise<ReminderOut> {
  const event = await mustFindEvent(ctx, eventId);
  if (event.status === "cancelled") throw ApiError.conflict("This event is cancelled; it takes no more reminders.");
  const [r] = await requestedRules(ctx, "preset_id" in body ? { preset_ids: [body.preset_id] } : { reminders: [body] });
  const rule = await getDb().transaction(async (tx) => {
    const [row] = await insertRules(tx, [ruleRow(ctx, eventId, r!.spec, r!.presetId)]);
    await updateEventRow(tx, { tenantId: ctx.tenantId, id: eventId, values: { planRequestedAt: new Date() } });
    await recordAudit(tx, ctx, { action: "reminder.created", targetType: "event", targetId: eventId, details: { reminder_id: row!.id, name: row!.name } });
    return row!;
  });
  await planEvent(ctx.tenantId, eventId);
  return reminderAnswer(ctx, eventId, rule.id);
}

export async function patchReminder(ctx: TenantContext, eventId: string, ruleId: string, body: PatchReminderBody): Promise<ReminderOut> {
  const event = await mustFindEvent(ctx, eventId);
  if (event.status === "cancelled") throw ApiError.conflict("This event is cancelled; its reminders can no longer change.");
  if (body.channels) await assertTemplates(ctx, [{ path: "channels", channels: body.channels }]);
  await getDb().transaction(async (tx) => {
    const rule = await findRule(tx, { tenantId: ctx.tenantId, eventId, id: ruleId });
    if (!rule || rule.purpose !== "reminder") throw ApiError.notFound("Reminder");
    if (rule.status === "cancelled") throw ApiError.conflict("This reminder is cancelled.");
    await updateRule(tx, {
      tenantId: ctx.tenantId,
      id: ruleId,
      values: {
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.timing ? { timing: body.timing } : {}),
        ...(body.channels ? { channels: body.channels } : {}),
        ...(body.channel_policy ? { channelPolicy: body.channel_policy } : {}),
        ...(body.quiet_hours !== undefined ? { quietHours: body.quiet_hours } : {}),
        ...(body.catch_up !== undefined ? { catchUp: body.catch_up } : {}),
      },
    });
    await updateEventRow(tx, { tenantId: ctx.tenantId, id: eventId, values: { planRequestedAt: new Date() } });
    await recordAudit(tx, ctx, { action: "reminder.updated", targetType: "event", targetId: eventId, details: { reminder_id: ruleId, fields: Object.keys(body) } });
  });
  await planEvent(ctx.tenantId, eventId);
  return reminderAnswer(ctx, eventId, ruleId);
}

/** Cancels one reminder: what it had not sent is withdrawn. */
export async function cancelReminder(ctx: TenantContext, eventId: string, ruleId: string): Promise<ReminderOut> {
  await getDb().transaction(async (tx) => {
    const rule = await findRule(tx, { tenantId: ctx.tenantId, eventId, id: ruleId });
    if (!rule) throw ApiError.notFound("Reminder");
    if (rule.status === "cancelled") return;
    await cancelRules(tx, { tenantId: ctx.tenantId, ids: [ruleId] });
    await cancelPlanned(tx, { tenantId: ctx.tenantId, eventId, ruleIds: [ruleId], reason: "rule_cancelled", now: reminderNow() });
    await recordAudit(tx, ctx, { action: "reminder.cancelled", targetType: "event", targetId: eventId, details: { reminder_id: ruleId } });
  });
  return reminderAnswer(ctx, eventId, ruleId);
}
