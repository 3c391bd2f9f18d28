// Events, their explicit audience, reminder rules and presets.
import { and, asc, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { uuidArray } from "../sql-arrays";
import {
  contacts,
  eventContacts,
  events,
  reminderPresets,
  reminderRules,
  reminderRuns,
  type EventRecord,
  type ReminderPreset,
  type ReminderRule,
} from "../schema";

export type NewEvent = typeof events.$inferInsert;
export type NewRule = typeof reminderRules.$inferInsert;

export async function insertEvent(db: DbOrTx, values: NewEvent & { tenantId: string }) {
  const [row] = await db.insert(events).values(values).returning();
  return row!;
}

/**
 * PUT by external id in one statement: concurrent upserts of one id make one row. A create has
 * `createdAt` equal to `updatedAt` (the update sets a new `updatedAt`).
 */
export async function upsertEventByExternalId(db: DbOrTx, values: NewEvent & { tenantId: string; externalId: string }) {
  const { tenantId: _t, externalId: _e, ...update } = values;
  const [row] = await db
    .insert(events)
    .values(values)
    .onConflictDoUpdate({
      target: [events.tenantId, events.externalId],
      targetWhere: sql`${events.externalId} is not null`,
      set: { ...update, updatedAt: new Date() },
    })
    .returning();
  return row!;
}

export async function findEvent(db: DbOrTx, { tenantId, id, forUpdate }: { tenantId: string; id: string; forUpdate?: boolean }) {
  const q = db.select().from(events).where(and(eq(events.tenantId, tenantId), eq(events.id, id)));
  const [row] = forUpdate ? await q.for("update") : await q;
  return row;
}

export async function findEventByExternalId(db: DbOrTx, { tenantId, externalId, forUpdate }: { tenantId: string; externalId: string; forUpdate?: boolean }) {
  const q = db.select().from(events).where(and(eq(events.tenantId, tenantId), eq(events.externalId, externalId)));
  const [row] = forUpdate ? await q.for("update") : await q;
  return row;
}

export async function findEventsByIds(db: DbOrTx, { tenantId, ids }: { tenantId: string; ids: string[] }) {
  if (ids.length === 0) return [];
  return db.select().from(events).where(and(eq(events.tenantId, tenantId), inArray(events.id, ids)));
}

export async function updateEvent(db: DbOrTx, { tenantId, id, values }: { tenantId: string; id: string; values: Partial<NewEvent> }) {
  const [row] = await db
    .update(events)
    .set({ ...values, updatedAt: new Date() })
    .where(and(eq(events.tenantId, tenantId), eq(events.id, id)))
    .returning();
  return row;
}

/** Keyset page of events: upcoming soonest first, otherwise latest first. */
export async function listEvents(
  db: DbOrTx,
  f: { tenantId: string; when: "upcoming" | "past" | "all"; status?: EventRecord["status"]; q?: string; after?: { at: Date; id: string }; now: Date; limit: number },
) {
  const asc_ = f.when === "upcoming";
  const conditions: (SQL | undefined)[] = [
    eq(events.tenantId, f.tenantId),
    f.when === "upcoming" ? sql`${events.startsAt} >= ${f.now.toISOString()}::timestamptz` : undefined,
    f.when === "past" ? sql`${events.startsAt} < ${f.now.toISOString()}::timestamptz` : undefined,
    f.status ? eq(events.status, f.status) : undefined,
    f.q ? sql`${events.title} ilike ${`%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}` : undefined,
    f.after
      ? asc_
        ? sql`(${events.startsAt}, ${events.id}) > (${f.after.at.toISOString()}::timestamptz, ${f.after.id}::uuid)`
        : sql`(${events.startsAt}, ${events.id}) < (${f.after.at.toISOString()}::timestamptz, ${f.after.id}::uuid)`
      : undefined,
  ];
  return db
    .select()
    .from(events)
    .where(and(...conditions))
    .orderBy(asc_ ? asc(events.startsAt) : desc(events.startsAt), asc_ ? asc(events.id) : desc(events.id))
    .limit(f.limit);
}

/** The soonest scheduled run of each event, and how many active reminders each has. */
export async function eventSummaries(db: DbOrTx, { tenantId, eventIds }: { tenantId: string; eventIds: string[] }) {
  if (eventIds.length === 0) return new Map<string, { next: { runId: string; ruleId: string; ruleName: string; at: Date } | null; reminders: number }>();
  const ids = sql`${`{${eventIds.join(",")}}`}::uuid[]`;
  const rows = await db.execute<{ event_id: string; run_id: string | null; rule_id: string | null; rule_name: string | null; at: string | Date | null; reminders: number }>(sql`
    select e.id as event_id, n.run_id, n.rule_id, n.rule_name, n.at,
      (select count(*)::int from reminder_rules r where r.event_id = e.id and r.status = 'active' and r.purpose = 'reminder') as reminders
    from unnest(${ids}) as e(id)
    left join lateral (
      select run.id as run_id, run.rule_id, rule.name as rule_name, run.scheduled_at as at
      from reminder_runs run join reminder_rules rule on rule.id = run.rule_id
      where run.event_id = e.id and run.tenant_id = ${tenantId} and run.status = 'scheduled'
      order by run.scheduled_at limit 1
    ) n on true`);
  return new Map(
    [...rows].map((r) => [
      r.event_id,
      {
        next: r.run_id ? { runId: r.run_id, ruleId: r.rule_id!, ruleName: r.rule_name!, at: r.at instanceof Date ? r.at : new Date(r.at!) } : null,
        reminders: Number(r.reminders),
      },
    ]),
  );
}

// ---------------------------------------------------------------------------------------------
// Explicit audience


/** Makes the event's explicit audience exactly these contacts (those of the tenant); returns ids that name no contact. */
export async function replaceEventContacts(db: DbOrTx, { tenantId, eventId, contactIds }: { tenantId: string; eventId: string; contactIds: string[] }) {
  const found = await db.execute<{ id: string }>(sql`select id from contacts where tenant_id = ${tenantId} and id = any(${uuidArray(contactIds)})`);
  const ids = [...found].map((r) => r.id);
  await db.execute(sql`delete from event_contacts where event_id = ${eventId} and tenant_id = ${tenantId} and not (contact_id = any(${uuidArray(ids)}))`);
  await db.execute(sql`
    insert into event_contacts (event_id, contact_id, tenant_id)
    select ${eventId}::uuid, x.id, ${tenantId}::uuid from unnest(${uuidArray(ids)}) as x(id)
    on conflict do nothing`);
  const known = new Set(ids);
  return contactIds.filter((id) => !known.has(id));
}

export async function listEventContactIds(db: DbOrTx, { tenantId, eventId, limit }: { tenantId: string; eventId: string; limit: number }) {
  const rows = await db
    .select({ id: eventContacts.contactId })
    .from(eventContacts)
    .where(and(eq(eventContacts.tenantId, tenantId), eq(eventContacts.eventId, eventId)))
    .orderBy(asc(eventContacts.addedAt), asc(eventContacts.contactId))
    .limit(limit);
  return rows.map((r) => r.id);
}

/** The SQL condition (on `contacts`) selecting an event's audience. */
export function eventAudienceCondition(event: Pick<EventRecord, "id" | "audienceKind" | "audienceListId" | "audienceSegment">, compiled: { listCondition?: SQL; segmentCondition?: SQL }): SQL {
  switch (event.audienceKind) {
    case "contacts":
      return sql`exists (select 1 from ${eventContacts} ec where ec.event_id = ${event.id} and ec.contact_id = ${contacts.id})`;
    case "list":
      return compiled.listCondition ?? sql`false`;
    case "segment":
      return compiled.segmentCondition ?? sql`false`;
  }
}

export async function countAudience(db: DbOrTx, { tenantId, where }: { tenantId: string; where: SQL }) {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(contacts).where(and(eq(contacts.tenantId, tenantId), where));
  return Number(row?.n ?? 0);
}

/** The first few contacts of an audience (a sample recipient for previews). */
export async function sampleAudience(db: DbOrTx, { tenantId, where, limit }: { tenantId: string; where: SQL; limit: number }) {
  return db.select().from(contacts).where(and(eq(contacts.tenantId, tenantId), where)).orderBy(asc(contacts.id)).limit(limit);
}

// ---------------------------------------------------------------------------------------------
// Rules

export async function insertRules(db: DbOrTx, rows: (NewRule & { tenantId: string; eventId: string })[]) {
  if (rows.length === 0) return [];
  return db.insert(reminderRules).values(rows).returning();
}

export async function listRules(db: DbOrTx, { tenantId, eventId, includeCancelled }: { tenantId: string; eventId: string; includeCancelled?: boolean }) {
  return db
    .select()
    .from(reminderRules)
    .where(and(eq(reminderRules.tenantId, tenantId), eq(reminderRules.eventId, eventId), includeCancelled ? undefined : eq(reminderRules.status, "active")))
    // Rules created together share created_at: then the earliest timing first (offsets are negative before the start).
    .orderBy(asc(reminderRules.createdAt), sql`(${reminderRules.timing}->>'minutes')::int nulls last`, asc(reminderRules.id));
}

export async function findRule(db: DbOrTx, { tenantId, eventId, id }: { tenantId: string; eventId: string; id: string }) {
  const [row] = await db
    .select()
    .from(reminderRules)
    .where(and(eq(reminderRules.tenantId, tenantId), eq(reminderRules.eventId, eventId), eq(reminderRules.id, id)));
  return row;
}

export async function findRuleById(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }) {
  const [row] = await db.select().from(reminderRules).where(and(eq(reminderRules.tenantId, tenantId), eq(reminderRules.id, id)));
  return row;
}

export async function updateRule(db: DbOrTx, { tenantId, id, values }: { tenantId: string; id: string; values: Partial<NewRule> }) {
  const [row] = await db
    .update(reminderRules)
    .set({ ...values, updatedAt: new Date() })
    .where(and(eq(reminderRules.tenantId, tenantId), eq(reminderRules.id, id)))
    .returning();
  return row;
}

export async function cancelRules(db: DbOrTx, { tenantId, ids }: { tenantId: string; ids: string[] }) {
  if (ids.length === 0) return;
  await db
    .update(reminderRules)
    .set({ status: "cancelled", updatedAt: new Date() })
    .where(and(eq(reminderRules.tenantId, tenantId), inArray(reminderRules.id, ids)));
}

/** Which of these events already carry an active rule copied from the preset. */
export async function eventsWithPreset(db: DbOrTx, { tenantId, presetId, eventIds }: { tenantId: string; presetId: string; eventIds: string[] }) {
  if (eventIds.length === 0) return new Set<string>();
  const rows = await db
    .select({ eventId: reminderRules.eventId })
    .from(reminderRules)
    .where(and(eq(reminderRules.tenantId, tenantId), eq(reminderRules.presetId, presetId), eq(reminderRules.status, "active"), inArray(reminderRules.eventId, eventIds)));
  return new Set(rows.map((r) => r.eventId));
}

/** The next scheduled run of each rule. */
export async function nextRunsOfRules(db: DbOrTx, { tenantId, ruleIds }: { tenantId: string; ruleIds: string[] }) {
  if (ruleIds.length === 0) return new Map<string, Date>();
  const rows = await db
    .select({ ruleId: reminderRuns.ruleId, at: sql<string>`min(${reminderRuns.scheduledAt})` })
    .from(reminderRuns)
    .where(and(eq(reminderRuns.tenantId, tenantId), inArray(reminderRuns.ruleId, ruleIds), eq(reminderRuns.status, "scheduled")))
    .groupBy(reminderRuns.ruleId);
  return new Map(rows.map((r) => [r.ruleId, new Date(r.at)]));
}

export type { ReminderRule };

// ---------------------------------------------------------------------------------------------
// Presets

export async function insertPreset(db: DbOrTx, values: typeof reminderPresets.$inferInsert & { tenantId: string }) {
  const [row] = await db.insert(reminderPresets).values(values).returning();
  return row!;
}

export async function listPresets(db: DbOrTx, { tenantId }: { tenantId: string }) {
  return db.select().from(reminderPresets).where(eq(reminderPresets.tenantId, tenantId)).orderBy(asc(reminderPresets.name));
}

export async function findPreset(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }) {
  const [row] = await db.select().from(reminderPresets).where(and(eq(reminderPresets.tenantId, tenantId), eq(reminderPresets.id, id)));
  return row;
}

export async function findPresetsByIds(db: DbOrTx, { tenantId, ids }: { tenantId: string; ids: string[] }) {
  if (ids.length === 0) return [];
  return db.select().from(reminderPresets).where(and(eq(reminderPresets.tenantId, tenantId), inArray(reminderPresets.id, ids)));
}

export async function updatePreset(db: DbOrTx, { tenantId, id, values }: { tenantId: string; id: string; values: Partial<Pick<ReminderPreset, "name" | "description" | "rule">> }) {
  const [row] = await db
    .update(reminderPresets)
    .set({ ...values, updatedAt: new Date() })
    .where(and(eq(reminderPresets.tenantId, tenantId), eq(reminderPresets.id, id)))
    .returning();
  return row;
}

export async function deletePreset(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }) {
  const [row] = await db.delete(reminderPresets).where(and(eq(reminderPresets.tenantId, tenantId), eq(reminderPresets.id, id))).returning({ id: reminderPresets.id });
  return row;
}

// ---------------------------------------------------------------------------------------------
// Plan bookkeeping

/** Records that the plan reflects the event as of `requestedAt` (a later change asks again). */
export async function markEventPlanned(db: DbOrTx, { tenantId, id, requestedAt }: { tenantId: string; id: string; requestedAt: Date }) {
  // The stored time has microseconds a JS Date lost: mark the stored value, unless a newer change came in meanwhile.
  await db
    .update(events)
    .set({ plannedAt: sql`${events.planRequestedAt}` })
    .where(and(eq(events.tenantId, tenantId), eq(events.id, id), sql`date_trunc('milliseconds', ${events.planRequestedAt}) <= ${requestedAt.toISOString()}::timestamptz`));
}

/** Events whose plan is behind their last change (a crash between the change and its planning), every tenant. */
export async function eventsNeedingPlan(db: DbOrTx, { limit }: { limit: number }) {
  return db
    .select({ id: events.id, tenantId: events.tenantId })
    .from(events)
    .where(sql`${events.plannedAt} is null or ${events.plannedAt} < ${events.planRequestedAt}`)
    .orderBy(asc(events.planRequestedAt))
    .limit(limit);
}

/** Which of these contacts are in the audience now, with their zones. */
export async function contactsInAudience(db: DbOrTx, { tenantId, where, ids }: { tenantId: string; where: SQL; ids: string[] }) {
  if (ids.length === 0) return [];
  return db
    .select({ id: contacts.id, timezone: contacts.timezone })
    .from(contacts)
    .where(and(eq(contacts.tenantId, tenantId), inArray(contacts.id, ids), where));
}
