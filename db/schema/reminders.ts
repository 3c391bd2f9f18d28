// What a tenant schedules around (events: competitions, meetings, exams), the reminder rules on
// them, reusable presets, the plan (one row per rule × contact × channel with its send instant)
// and the runs that fire it.
import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { timestamps } from "./_columns";
import { contactLists, contacts } from "./contacts";
import { audienceKinds, channelPolicies, channels, eventStatuses, reminderRunStatuses, reminderSendStatuses, rulePurposes, ruleStatuses } from "./enum-values";

export { audienceKinds, channelPolicies, eventStatuses, reminderRunStatuses, reminderSendStatuses, rulePurposes, ruleStatuses };
import type { ChannelPolicy } from "./enum-values";
export type { AudienceKind, ChannelPolicy, EventStatus, ReminderRunStatus, ReminderSendStatus, RulePurpose, RuleStatus } from "./enum-values";
import { tenants } from "./tenants";

/**
 * When a rule fires: `offset` minutes from the event's start (negative = before), an `absolute`
 * instant, or `local`: `days_before` the event's day (in the event's zone) at `time` on the
 * recipient's wall clock (their zone, else the event's).
 */
export type RuleTiming =
  | { kind: "offset"; minutes: number }
  | { kind: "absolute"; at: string }
  | { kind: "local"; days_before: number; time: string };

/** One channel of a rule and the Herald template that says it. */
export interface RuleChannel {
  channel: "email" | "sms" | "push" | "whatsapp";
  template: string;
}

/** No sends of `channels` between `start` and `end` (HH:MM, recipient-local; may wrap midnight). */
export interface QuietHours {
  start: string;
  end: string;
  channels: RuleChannel["channel"][];
}

/** What a rule is, without its event: a preset holds exactly this. */
export interface RuleSpec {
  name: string;
  timing: RuleTiming;
  channels: RuleChannel[];
  channel_policy: ChannelPolicy;
  quiet_hours: QuietHours | null;
  /** A contact who joins the audience after this rule fired gets it at once (else only later rules). */
  catch_up: boolean;
}

/** The notice sent to the audience when the event is cancelled (optional). */
export interface CancellationNotice {
  channels: RuleChannel[];
  channel_policy: ChannelPolicy;
}

export const events = pgTable(
  "events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    /** The tenant's own id (a competition id): the upsert key of PUT …/by-external-id. */
    externalId: text("external_id"),
    title: text("title").notNull(),
    description: text("description"),
    startsAt: timestamp("starts_at", { withTimezone: true }).notNull(),
    /** IANA zone the event happens in: local rules count days in it, and recipients without a zone use it. */
    timezone: text("timezone").notNull(),
    location: text("location"),
    attributes: jsonb("attributes").$type<Record<string, unknown>>().notNull().default({}),
    status: text("status", { enum: eventStatuses }).notNull().default("scheduled"),
    audienceKind: text("audience_kind", { enum: audienceKinds }).notNull(),
    /** The list or saved segment (contact_lists) of a `list` audience. */
    audienceListId: uuid("audience_list_id").references(() => contactLists.id, { onDelete: "set null" }),
    /** An inline segment filter (`segment` audience). */
    audienceSegment: jsonb("audience_segment").$type<Record<string, unknown>>(),
    cancellationNotice: jsonb("cancellation_notice").$type<CancellationNotice>(),
    cancelledAt: timestamp("cancelled_at", { withTimezone: true }),
    /** Set by every change that needs a new plan; planning records what it planned for. The tick re-plans where they differ (a crash after the change). */
    planRequestedAt: timestamp("plan_requested_at", { withTimezone: true }).notNull().defaultNow(),
    plannedAt: timestamp("planned_at", { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("events_tenant_external_id_unique").on(t.tenantId, t.externalId).where(sql`${t.externalId} is not null`),
    index("events_tenant_starts_idx").on(t.tenantId, t.startsAt, t.id),
    index("events_plan_pending_idx").on(t.planRequestedAt).where(sql`${t.plannedAt} is null or ${t.plannedAt} < ${t.planRequestedAt}`),
  ],
);

export type EventRecord = typeof events.$inferSelect;

/** The explicit audience of a `contacts` event. */
export const eventContacts = pgTable(
  "event_contacts",
  {
    eventId: uuid("event_id")
      .notNull()
      .references(() => events.id, { onDelete: "cascade" }),
    contactId: uuid("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    tenantId: uuid("tenant_id").notNull(),
    addedAt: timestamp("added_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.contactId] }), index("event_contacts_contact_idx").on(t.contactId)],
);

export const reminderPresets = pgTable(
  "reminder_presets",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description"),
    rule: jsonb("rule").$type<RuleSpec>().notNull(),
    ...timestamps,
  },
  (t) => [uniqueIndex("reminder_presets_tenant_name_unique").on(t.tenantId, t.name)],
);

export type ReminderPreset = typeof reminderPresets.$inferSelect;

export const reminderRules = pgTable(
  "reminder_rules",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    eventId: uuid("event_id")
      .notNull()
      .references(() => events.id, { onDelete: "cascade" }),
    /** A cancellation notice is a rule of its own (absolute, at the cancellation), planned and fired like the others. */
    purpose: text("purpose", { enum: rulePurposes }).notNull().default("reminder"),
    name: text("name").notNull(),
    timing: jsonb("timing").$type<RuleTiming>().notNull(),
    channels: jsonb("channels").$type<RuleChannel[]>().notNull(),
    channelPolicy: text("channel_policy", { enum: channelPolicies }).notNull().default("all"),
    quietHours: jsonb("quiet_hours").$type<QuietHours>(),
    catchUp: boolean("catch_up").notNull().default(false),
    presetId: uuid("preset_id").references(() => reminderPresets.id, { onDelete: "set null" }),
    status: text("status", { enum: ruleStatuses }).notNull().default("active"),
    ...timestamps,
  },
  (t) => [index("reminder_rules_event_idx").on(t.eventId, t.createdAt)],
);

export type ReminderRule = typeof reminderRules.$inferSelect;

/** One firing of a rule: every send of the rule planned for the same instant. */
export const reminderRuns = pgTable(
  "reminder_runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    eventId: uuid("event_id")
      .notNull()
      .references(() => events.id, { onDelete: "cascade" }),
    ruleId: uuid("rule_id")
      .notNull()
      .references(() => reminderRules.id, { onDelete: "cascade" }),
    scheduledAt: timestamp("scheduled_at", { withTimezone: true }).notNull(),
    status: text("status", { enum: reminderRunStatuses }).notNull().default("scheduled"),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    cancelledAt: timestamp("cancelled_at", { withTimezone: true }),
    error: text("error"),
    /** How often it was fanned out: 1 after the first firing, more when a catch-up re-opened it. Chunk event ids carry it. */
    firings: integer("firings").notNull().default(0),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("reminder_runs_rule_instant_unique").on(t.ruleId, t.scheduledAt),
    index("reminder_runs_tenant_scheduled_idx").on(t.tenantId, t.scheduledAt, t.id),
    index("reminder_runs_event_idx").on(t.eventId, t.scheduledAt),
    index("reminder_runs_due_idx").on(t.scheduledAt).where(sql`${t.status} = 'scheduled'`),
  ],
);

export type ReminderRun = typeof reminderRuns.$inferSelect;

/**
 * The plan: one row per rule × contact × channel with the exact send instant. `scheduled_at` is
 * the instant the idempotency key is derived from; a quiet-hours shift is already in it.
 */
export const reminderSends = pgTable(
  "reminder_sends",
  {
    ruleId: uuid("rule_id")
      .notNull()
      .references(() => reminderRules.id, { onDelete: "cascade" }),
    contactId: uuid("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    channel: text("channel", { enum: channels }).notNull(),
    tenantId: uuid("tenant_id").notNull(),
    eventId: uuid("event_id").notNull(),
    scheduledAt: timestamp("scheduled_at", { withTimezone: true }).notNull(),
    runId: uuid("run_id"),
    status: text("status", { enum: reminderSendStatuses }).notNull().default("planned"),
    /** Why it was skipped or cancelled; for a planned row, a skip the planner already knows (quiet hours past the event). */
    reason: text("reason"),
    messageId: uuid("message_id"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.ruleId, t.contactId, t.channel] }),
    index("reminder_sends_run_idx").on(t.runId, t.status, t.contactId),
    index("reminder_sends_event_idx").on(t.eventId, t.status),
  ],
);

export type ReminderSend = typeof reminderSends.$inferSelect;
