import { z } from "zod";
import type { CallEventType } from "@/db/schema/telephony";
import { dateOrDateTime, E164_PATTERN, isoDateTime, limitQuery } from "./common";

// Kept here (not imported from db/schema) so client forms don't bundle the schema; the type
// check below fails the build if the two lists ever differ.
export const callEventTypes = [
  "call_started",
  "call_ringing",
  "call_answered",
  "call_forwarded",
  "call_ended",
  "call_missed",
  "call_failed",
] as const;
type Listed = (typeof callEventTypes)[number];
const sameEventTypes: [CallEventType] extends [Listed] ? ([Listed] extends [CallEventType] ? true : never) : never = true;
void sameEventTypes;

/** E.164: a plus, a non-zero country digit, at most 15 digits in all. */

function requiredString(field: string) {
  return z.string({
    error: (iss) => (iss.input === undefined ? `${field} is required` : `${field} must be a string`),
  });
}

export function e164(field: string) {
  return requiredString(field)
    .trim()
    .regex(E164_PATTERN, `${field} must be an E.164 phone number, e.g. +994501234567`);
}

export const callEventTypeSchema = z.enum(callEventTypes, {
  error: (iss) =>
    iss.input === undefined ? "event_type is required" : `event_type must be one of: ${callEventTypes.join(", ")}`,
});

/**
 * The telephony server's event. `duration` (whole seconds) belongs to call_ended only: required
 * there, rejected on every other type, so a consumer never has to guess what it means.
 * Unknown extra fields are ignored (servers add fields over time); they are not stored.
 */
export const callEventBody = z
  .object({
    call_id: requiredString("call_id")
      .trim()
      .min(1, "call_id must not be empty")
      .max(128, "call_id must be at most 128 characters")
      .regex(/^[\x21-\x7e]+$/, "call_id must be printable ASCII without spaces"),
    from_number: e164("from_number"),
    to_number: e164("to_number"),
    event_type: callEventTypeSchema,
    timestamp: requiredString("timestamp").pipe(
      isoDateTime("timestamp must be ISO 8601 with a time zone, e.g. 2025-11-30T10:00:00Z"),
    ),
    duration: z
      .number({ error: "duration must be a whole number of seconds" })
      .int("duration must be a whole number of seconds")
      .min(0, "duration must not be negative")
      .max(7 * 24 * 3600, "duration is implausibly long")
      .nullish(),
  })
  .superRefine((v, ctx) => {
    const hasDuration = v.duration !== undefined && v.duration !== null;
    if (v.event_type === "call_ended" && !hasDuration) {
      ctx.addIssue({ code: "custom", path: ["duration"], message: "duration is required when event_type is call_ended" });
    }
    if (v.event_type !== "call_ended" && hasDuration) {
      ctx.addIssue({
        code: "custom",
        path: ["duration"],
        message: "duration is only allowed when event_type is call_ended",
      });
    }
  })
  .transform((v) => ({ ...v, duration: v.duration ?? undefined }));

export type CallEventInput = z.output<typeof callEventBody>;

export const callOutcomes = ["answered", "missed", "failed"] as const;
export const publishStatuses = ["queued", "published", "dead_lettered"] as const;

const dateBound = dateOrDateTime();

export const listCallsQuery = z.object({
  school_id: z.string().uuid().optional(),
  /** Matches either end of the call, or the number it was forwarded to. */
  number: z
    .string()
    .trim()
    .regex(/^\+?\d{3,15}$/, "number must be digits, optionally starting with +")
    .optional(),
  outcome: z.enum([...callOutcomes, "active"]).optional(),
  publish_status: z.enum(publishStatuses).optional(),
  from: dateBound.optional(),
  to: dateBound.optional(),
  cursor: z.string().max(200).optional(),
  limit: limitQuery,
});
export type ListCallsQuery = z.output<typeof listCallsQuery>;

export const listCallEventsQuery = z.object({
  publish_status: z.enum(publishStatuses).optional(),
  call_id: z.string().trim().min(1).max(128).optional(),
  limit: limitQuery,
});

export const retryPublishBody = z
  .object({
    /** Specific call event log ids / command ids; omit both to retry everything dead-lettered. */
    event_ids: z.array(z.string().uuid()).min(1).max(500).optional(),
    command_ids: z.array(z.string().uuid()).min(1).max(500).optional(),
  })
  .strict();

export const createNumberBody = z
  .object({
    number: e164("number"),
    label: z.string().trim().max(100).optional(),
    school_id: z.string().uuid().nullish(),
  })
  .strict();

/** Assign (school_id = uuid), release (school_id = null), or relabel. */
export const updateNumberBody = z
  .object({
    label: z.string().trim().max(100).nullable().optional(),
    school_id: z.string().uuid().nullable().optional(),
  })
  .strict()
  .refine((v) => v.label !== undefined || v.school_id !== undefined, "Send label and/or school_id");

export const listNumbersQuery = z.object({
  status: z.enum(["free", "assigned"]).optional(),
  school_id: z.string().uuid().optional(),
});

export const forwardCallBody = z
  .object({
    call_id: requiredString("call_id").trim().min(1).max(128),
    to_number: e164("to_number"),
  })
  .strict();

export const hangupCallBody = z.object({ call_id: requiredString("call_id").trim().min(1).max(128) }).strict();

// ---- Output shapes (snake_case, the API contract) ----

export const telephonyTokenStatusOutput = z.object({
  active: z.boolean(),
  prefix: z.string().nullable(),
  created_at: z.string().nullable(),
  last_used_at: z.string().nullable(),
});
export type TelephonyTokenStatus = z.output<typeof telephonyTokenStatusOutput>;

export const inboundNumberOutput = z.object({
  id: z.string(),
  number: z.string(),
  label: z.string().nullable(),
  status: z.enum(["free", "assigned"]),
  school: z.object({ id: z.string(), name: z.string() }).nullable(),
  assigned_at: z.string().nullable(),
  created_at: z.string(),
});
export type InboundNumberOutput = z.output<typeof inboundNumberOutput>;

export const callOutput = z.object({
  id: z.string(),
  call_id: z.string(),
  from_number: z.string(),
  to_number: z.string(),
  school: z.object({ id: z.string(), name: z.string() }).nullable(),
  status: z.enum(["active", "ended"]),
  outcome: z.enum(callOutcomes).nullable(),
  started_at: z.string().nullable(),
  answered_at: z.string().nullable(),
  forwarded_at: z.string().nullable(),
  forwarded_to: z.string().nullable(),
  ended_at: z.string().nullable(),
  duration_seconds: z.number().nullable(),
  first_event_at: z.string(),
  last_event_at: z.string(),
  event_count: z.number(),
  publish_status: z.enum(publishStatuses),
});
export type CallOutput = z.output<typeof callOutput>;

export const callEventOutput = z.object({
  id: z.string(),
  call_id: z.string(),
  event_type: z.enum(callEventTypes),
  from_number: z.string(),
  to_number: z.string(),
  timestamp: z.string(),
  duration: z.number().nullable(),
  created_time: z.string(),
  publish_status: z.enum(publishStatuses),
  publish_attempts: z.number(),
  last_publish_error: z.string().nullable(),
  published_at: z.string().nullable(),
});
export type CallEventOutput = z.output<typeof callEventOutput>;

export const callCommandOutput = z.object({
  id: z.string(),
  call_id: z.string(),
  command: z.enum(["forward", "hangup"]),
  to_number: z.string().nullable(),
  requested_by: z.string(),
  created_at: z.string(),
  publish_status: z.enum(publishStatuses),
  publish_attempts: z.number(),
  last_publish_error: z.string().nullable(),
  published_at: z.string().nullable(),
});
export type CallCommandOutput = z.output<typeof callCommandOutput>;

export const callCountersOutput = z.object({
  active_calls: z.number(),
  today: z.object({ total: z.number(), answered: z.number(), missed: z.number(), failed: z.number() }),
  publish: z.object({ queued: z.number(), dead_lettered: z.number(), oldest_queued_at: z.string().nullable() }),
});
export type CallCountersOutput = z.output<typeof callCountersOutput>;
