// Events, reminder rules, presets and runs: request bodies, queries and answers, shared by the
// routes, the Reminders page and the tests.
import { z } from "zod";
import { audienceKinds, channelPolicies, eventStatuses, reminderRunStatuses } from "@/db/schema/enum-values";
import type { RuleSpec, RuleTiming } from "@/db/schema/reminders";
import { attributesSchema, externalIdSchema, timezoneSchema } from "./contacts";
import { channelSchema, channels } from "./messages";
import { isoDateTime, limitQuery, safeText } from "./common";
import { segmentSchema } from "./segments";
import { templateKeySchema } from "./templates";

export const EVENT_CONTACTS_MAX = 10_000;
export const EVENT_RULES_MAX = 20;
/** Offsets reach at most a year from the event. */
const MAX_OFFSET_MINUTES = 366 * 24 * 60;

const blankToNull = (v: unknown) => (typeof v === "string" && v.trim() === "" ? null : v);
const hhmm = z.string().trim().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "Use a 24-hour time HH:MM (e.g. 18:00)");

// ---------------------------------------------------------------------------------------------
// Rules

/** "-24h", "-90m", "-7d", "-1d12h", "+2h": a signed duration from the event's start. */
export const offsetSchema = z
  .string()
  .trim()
  .transform((v, ctx) => {
    const m = /^([+-])(?:(\d{1,3})d)?(?:(\d{1,4})h)?(?:(\d{1,6})m)?$/.exec(v);
    if (!m || (m[2] === undefined && m[3] === undefined && m[4] === undefined)) {
      ctx.addIssue({ code: "custom", message: "Use a signed duration: - for before the event, + for after (e.g. -24h, -2h, -7d, -90m)" });
      return z.NEVER;
    }
    const minutes = (Number(m[2] ?? 0) * 24 * 60 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0)) * (m[1] === "-" ? -1 : 1);
    if (Math.abs(minutes) > MAX_OFFSET_MINUTES) {
      ctx.addIssue({ code: "custom", message: "An offset is at most 366 days" });
      return z.NEVER;
    }
    return minutes;
  });

/** Minutes → the shortest "-1d12h" form. */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  let rest = Math.abs(minutes);
  const d = Math.floor(rest / 1440);
  rest -= d * 1440;
  const h = Math.floor(rest / 60);
  const m = rest - h * 60;
  const out = `${d ? `${d}d` : ""}${h ? `${h}h` : ""}${m ? `${m}m` : ""}`;
  return `${sign}${out || "0m"}`;
}

const ruleChannelSchema = z.strictObject({ channel: channelSchema, template: templateKeySchema });

export const quietHoursSchema = z
  .strictObject({
    start: hhmm,
    end: hhmm,
    channels: z.array(channelSchema).min(1, "Name the channels the quiet hours hold back (e.g. sms)").max(channels.length),
  })
  .refine((q) => q.start !== q.end, { message: "Start and end must differ", path: ["end"] });

const ruleFields = {
  name: z.string().trim().min(1).max(200, "At most 200 characters").optional(),
  /** Exactly one of offset, at, or local_time (+ days_before). */
  offset: offsetSchema.optional(),
  at: isoDateTime().optional(),
  local_time: hhmm.optional(),
  days_before: z.number().int("Whole days").min(0).max(366, "At most 366 days").optional(),
  channels: z
    .array(ruleChannelSchema)
    .min(1, "Choose at least one channel")
    .max(channels.length)
    .refine((cs) => new Set(cs.map((c) => c.channel)).size === cs.length, "Each channel at most once"),
  channel_policy: z.enum(channelPolicies, "channel_policy is all or first_available").default("all"),
  quiet_hours: quietHoursSchema.nullable().optional(),
  catch_up: z.boolean().default(false),
};

function timingOf(v: { offset?: number; at?: string; local_time?: string; days_before?: number }): RuleTiming {
  if (v.offset !== undefined) return { kind: "offset", minutes: v.offset };
  if (v.at !== undefined) return { kind: "absolute", at: new Date(v.at).toISOString() };
  return { kind: "local", days_before: v.days_before ?? 0, time: v.local_time! };
}

/** A readable default name: "24 h before", "The day before at 18:00", "At 2027-03-20 12:00 UTC". */
export function describeTiming(t: RuleTiming): string {
  switch (t.kind) {
    case "offset": {
      const abs = Math.abs(t.minutes);
      // "24 h before" reads better than "1 d before"; whole days from two days on.
      const span = abs % 1440 === 0 && abs >= 2880 ? `${abs / 1440} d` : abs % 60 === 0 ? `${abs / 60} h` : formatOffset(abs).slice(1);
      return t.minutes <= 0 ? `${span} before` : `${span} after`;
    }
    case "absolute":
      return `At ${t.at.slice(0, 16).replace("T", " ")} UTC`;
    case "local":
      return t.days_before === 0 ? `On the day at ${t.time}` : t.days_before === 1 ? `The day before at ${t.time}` : `${t.days_before} days before at ${t.time}`;
  }
}

/** A rule as a client writes it → the stored spec. */
export const ruleBody = z
  .strictObject(ruleFields)
  .superRefine((v, ctx) => {
    const given = [v.offset !== undefined, v.at !== undefined, v.local_time !== undefined].filter(Boolean).length;
    if (given !== 1) ctx.addIssue({ code: "custom", path: ["offset"], message: "Give exactly one of offset (e.g. -24h), at (a time) or local_time (with days_before)" });
    if (v.days_before !== undefined && v.local_time === undefined) ctx.addIssue({ code: "custom", path: ["days_before"], message: "days_before goes with local_time" });
  })
  .transform((v): RuleSpec => {
    const timing = timingOf(v);
    return {
      name: v.name ?? describeTiming(timing),
      timing,
      channels: v.channels,
      channel_policy: v.channel_policy,
      quiet_hours: v.quiet_hours ?? null,
      catch_up: v.catch_up,
    };
  });
export type RuleBody = z.input<typeof ruleBody>;

/** POST /events/{id}/reminders: a rule, or a preset to copy. */
export const addReminderBody = z.union([z.strictObject({ preset_id: z.string().uuid("preset_id is a preset id (UUID)") }), ruleBody], {
  error: "Give a rule (offset / at / local_time with channels) or a preset_id",
});

export const patchReminderBody = z
  .strictObject({ ...ruleFields, channels: ruleFields.channels.optional(), channel_policy: ruleFields.channel_policy.optional(), catch_up: z.boolean().optional() })
  .superRefine((v, ctx) => {
    const given = [v.offset !== undefined, v.at !== undefined, v.local_time !== undefined].filter(Boolean).length;
    if (given > 1) ctx.addIssue({ code: "custom", path: ["offset"], message: "Give at most one of offset, at or local_time" });
    if (v.days_before !== undefined && v.local_time === undefined) ctx.addIssue({ code: "custom", path: ["days_before"], message: "days_before goes with local_time" });
    if (Object.keys(v).length === 0) ctx.addIssue({ code: "custom", message: "Change at least one field" });
  })
  .transform((v) => ({
    ...(v.name !== undefined ? { name: v.name } : {}),
    ...(v.offset !== undefined || v.at !== undefined || v.local_time !== undefined ? { timing: timingOf(v) } : {}),
    ...(v.channels !== undefined ? { channels: v.channels } : {}),
    ...(v.channel_policy !== undefined ? { channel_policy: v.channel_policy } : {}),
    ...(v.quiet_hours !== undefined ? { quiet_hours: v.quiet_hours } : {}),
    ...(v.catch_up !== undefined ? { catch_up: v.catch_up } : {}),
  }));
export type PatchReminderBody = z.output<typeof patchReminderBody>;

// ---------------------------------------------------------------------------------------------
// Presets

export const createPresetBody = z.strictObject({
  name: z.string({ error: "Name is required" }).trim().min(1, "Name is required").max(200, "At most 200 characters"),
  description: z.preprocess(blankToNull, z.string().trim().max(2000).nullable().optional()),
  rule: ruleBody,
});
export type CreatePresetBody = z.output<typeof createPresetBody>;

export const updatePresetBody = z
  .strictObject({ name: createPresetBody.shape.name.optional(), description: createPresetBody.shape.description, rule: ruleBody.optional() })
  .refine((v) => Object.keys(v).length > 0, "Change at least one field");
export type UpdatePresetBody = z.output<typeof updatePresetBody>;

export const applyPresetBody = z.strictObject({
  event_ids: z.array(z.string().uuid("event_ids are event ids (UUID)")).min(1, "Name at least one event").max(1000, "At most 1,000 events per call"),
});

// ---------------------------------------------------------------------------------------------
// Events

export const audienceSchema = z.discriminatedUnion(
  "kind",
  [
    z.strictObject({ kind: z.literal("list"), list_id: z.string().uuid("list_id is a list id (UUID)") }),
    z.strictObject({ kind: z.literal("segment"), segment: segmentSchema }),
    z.strictObject({
      kind: z.literal("contacts"),
      contact_ids: z.array(z.string().uuid("contact_ids are contact ids (UUID)")).max(EVENT_CONTACTS_MAX, `At most ${EVENT_CONTACTS_MAX.toLocaleString("en")} contacts; use a list for more`),
    }),
  ],
  "audience.kind is list, segment or contacts",
);
export type AudienceBody = z.output<typeof audienceSchema>;

export const cancellationNoticeSchema = z.strictObject({
  channels: ruleFields.channels,
  channel_policy: ruleFields.channel_policy,
});

const eventFields = {
  title: safeText({ error: "A title is required" }).trim().min(1, "A title is required").max(300, "At most 300 characters"),
  description: z.preprocess(blankToNull, safeText().trim().max(5000, "At most 5,000 characters").nullable().optional()),
  starts_at: isoDateTime("The start: an ISO 8601 time with its offset, e.g. 2027-03-28T10:00:00+02:00"),
  timezone: timezoneSchema,
  location: z.preprocess(blankToNull, safeText().trim().max(500, "At most 500 characters").nullable().optional()),
  attributes: attributesSchema.optional(),
  audience: audienceSchema,
  /** Sent to the audience when the event is cancelled; null for none. */
  cancellation_notice: cancellationNoticeSchema.nullable().optional(),
};

const withRules = {
  reminders: z.array(ruleBody).max(EVENT_RULES_MAX, `At most ${EVENT_RULES_MAX} reminders per event`).optional(),
  preset_ids: z.array(z.string().uuid("preset_ids are preset ids (UUID)")).max(EVENT_RULES_MAX).optional(),
};

export const createEventBody = z.strictObject({ external_id: externalIdSchema.optional(), ...eventFields, ...withRules });
export type CreateEventBody = z.output<typeof createEventBody>;

/** PUT …/by-external-id/{id}: `reminders` + `preset_ids`, when given, are the event's whole set of reminders. */
export const upsertEventBody = z.strictObject({ ...eventFields, ...withRules });
export type UpsertEventBody = z.output<typeof upsertEventBody>;

export const updateEventBody = z
  .strictObject({
    title: eventFields.title.optional(),
    description: eventFields.description,
    starts_at: eventFields.starts_at.optional(),
    timezone: eventFields.timezone.optional(),
    location: eventFields.location,
    attributes: eventFields.attributes,
    audience: eventFields.audience.optional(),
    cancellation_notice: eventFields.cancellation_notice,
  })
  .refine((v) => Object.keys(v).length > 0, "Change at least one field");
export type UpdateEventBody = z.output<typeof updateEventBody>;

export const listEventsQuery = z.object({
  /** upcoming: not yet started, soonest first; past: started, latest first; all: latest first. */
  when: z.enum(["upcoming", "past", "all"]).default("upcoming"),
  status: z.enum(eventStatuses).optional(),
  q: z.string().trim().min(1).max(200).optional(),
  cursor: z.string().max(200).optional(),
  limit: limitQuery,
});
export type ListEventsQuery = z.infer<typeof listEventsQuery>;

export const eventPreviewBody = z.strictObject({
  rule_id: z.string().uuid("rule_id is a reminder id (UUID)").optional(),
  /** Render for this contact (else the audience's first contact, else no contact). */
  contact_id: z.string().uuid("contact_id is a contact id (UUID)").optional(),
  /** Unsaved channels of a rule being edited. */
  channels: ruleFields.channels.optional(),
});
export type EventPreviewBody = z.output<typeof eventPreviewBody>;

export const listRunsQuery = z.object({
  event_id: z.string().uuid("event_id is an event id (UUID)").optional(),
  status: z.enum(reminderRunStatuses).optional(),
  /** upcoming: scheduled runs, soonest first (the timeline); otherwise newest first. */
  upcoming: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
  cursor: z.string().max(200).optional(),
  limit: limitQuery,
});
export type ListRunsQuery = z.infer<typeof listRunsQuery>;

// ---------------------------------------------------------------------------------------------
// Responses

const iso = z.string();

export const timingOut = z.object({
  kind: z.enum(["offset", "absolute", "local"]),
  offset: z.string().optional(),
  minutes: z.number().optional(),
  at: iso.optional(),
  days_before: z.number().optional(),
  local_time: z.string().optional(),
});

export const ruleSpecOut = z.object({
  name: z.string(),
  timing: timingOut,
  channels: z.array(z.object({ channel: channelSchema, template: z.string() })),
  channel_policy: z.enum(channelPolicies),
  quiet_hours: z.object({ start: z.string(), end: z.string(), channels: z.array(channelSchema) }).nullable(),
  catch_up: z.boolean(),
});

export const reminderOut = ruleSpecOut.extend({
  id: z.string(),
  event_id: z.string(),
  purpose: z.enum(["reminder", "cancellation_notice"]),
  preset_id: z.string().nullable(),
  status: z.enum(["active", "cancelled"]),
  /** The rule's next scheduled run (its earliest instant still to fire), or null. */
  next_firing_at: iso.nullable(),
  created_at: iso,
  updated_at: iso,
});
export type ReminderOut = z.infer<typeof reminderOut>;

export const presetOut = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  rule: ruleSpecOut,
  created_at: iso,
  updated_at: iso,
});
export type PresetOut = z.infer<typeof presetOut>;

export const eventOut = z.object({
  id: z.string(),
  external_id: z.string().nullable(),
  title: z.string(),
  description: z.string().nullable(),
  starts_at: iso,
  timezone: z.string(),
  location: z.string().nullable(),
  attributes: z.record(z.string(), z.unknown()),
  status: z.enum(eventStatuses),
  audience: z.object({
    kind: z.enum(audienceKinds),
    list_id: z.string().nullable().optional(),
    segment: z.unknown().optional(),
    contact_ids: z.array(z.string()).optional(),
  }),
  cancellation_notice: cancellationNoticeSchema.nullable(),
  cancelled_at: iso.nullable(),
  /** The soonest scheduled run of any of its reminders. */
  next_firing: z.object({ run_id: z.string(), rule_id: z.string(), rule_name: z.string(), at: iso }).nullable(),
  reminders_count: z.number(),
  created_at: iso,
  updated_at: iso,
});
export type EventOut = z.infer<typeof eventOut>;

export const eventDetailOut = eventOut.extend({
  reminders: z.array(reminderOut),
  /** Contacts in the audience now. */
  audience_count: z.number(),
});
export type EventDetailOut = z.infer<typeof eventDetailOut>;

export const eventListOut = z.object({ data: z.array(eventOut), next_cursor: z.string().nullable() });
export type EventListOut = z.infer<typeof eventListOut>;

/**
 * A run's figures: the plan rows (what was meant to go out and what became of it) and the
 * messages it created (read from the message log, so they match Messages filtered by this run).
 */
export const runCountsOut = z.object({
  /** Sends the run covers (recipient × channel), whatever became of them. */
  planned: z.number(),
  /** Not handled yet. */
  pending: z.number(),
  skipped: z.number(),
  skipped_by_reason: z.record(z.string(), z.number()),
  cancelled: z.number(),
  /** The firing gave up on these (no message was created). */
  errored: z.number(),
  /** Messages created (= Messages filtered by this run). */
  messages: z.number(),
  queued: z.number(),
  sent: z.number(),
  delivered: z.number(),
  failed: z.number(),
  opened: z.number(),
  clicked: z.number(),
  /** Resolved sends (skipped, cancelled, errored, or a message in a final state) of `planned`. */
  done: z.number(),
  percent: z.number(),
});
export type RunCountsOut = z.infer<typeof runCountsOut>;

export const runOut = z.object({
  id: z.string(),
  event_id: z.string(),
  event_title: z.string(),
  rule_id: z.string(),
  rule_name: z.string(),
  purpose: z.enum(["reminder", "cancellation_notice"]),
  scheduled_at: iso,
  status: z.enum(reminderRunStatuses),
  started_at: iso.nullable(),
  finished_at: iso.nullable(),
  cancelled_at: iso.nullable(),
  error: z.string().nullable(),
  counts: runCountsOut,
});
export type RunOut = z.infer<typeof runOut>;

export const runListOut = z.object({ data: z.array(runOut), next_cursor: z.string().nullable() });
export type RunListOut = z.infer<typeof runListOut>;

export const applyPresetOut = z.object({
  applied: z.array(z.object({ event_id: z.string(), reminder_id: z.string() })),
  already_applied: z.array(z.string()),
  /** Cancelled events take no reminders. */
  cancelled: z.array(z.string()),
  not_found: z.array(z.string()),
});

export const eventPreviewOut = z.object({
  contact_id: z.string().nullable(),
  channels: z.array(
    z.object({
      channel: channelSchema,
      template: z.string(),
      rendered: z.record(z.string(), z.unknown()).nullable(),
      error: z.object({ code: z.string(), message: z.string() }).nullable(),
    }),
  ),
});
export type EventPreviewOut = z.infer<typeof eventPreviewOut>;
