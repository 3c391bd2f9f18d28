import { z } from "zod";
import { findUnsafeText, inspectJson, JSON_LIMITS, type JsonLimits } from "./json-safety";

export { findUnsafeText, inspectJson, JSON_LIMITS };

export const uuidParam = z.string().uuid();

/** A path id that isn't a UUID can't name anything: answer 404, not a validation error. */
export function isUuid(value: string): boolean {
  return uuidParam.safeParse(value).success;
}

/**
 * Text Postgres can store: no NUL (text and jsonb refuse it) and no lone UTF-16 surrogate
 * (jsonb refuses the escape; text would silently get U+FFFD). Use for every free-form string.
 */
export function safeText(params?: Parameters<typeof z.string>[0]) {
  return z.string(params).superRefine((v, ctx) => {
    const problem = findUnsafeText(v);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
}

export const slugSchema = z
  .string()
  .trim()
  .min(2)
  .max(48)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "Use lower-case letters, digits and single dashes");

export const emailSchema = z.string().trim().toLowerCase().email().max(320);

/** Every list has this hard page limit, whatever the client asks for. */
export const MAX_PAGE_SIZE = 200;
export const limitQuery = z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50);

/** E.164: a plus, a country code that doesn't start with 0, at most 15 digits in all. */
export const E164_PATTERN = /^\+[1-9]\d{6,14}$/;

// ---------------------------------------------------------------------------------------------
// Dates: Postgres stores years 4713 BC – 294276 AD, JavaScript ±275760; Herald accepts a range
// both agree on and that no real event falls outside, and says so.

export const MIN_YEAR = 1970;
export const MAX_YEAR = 9999;
const MIN_TIME = Date.UTC(MIN_YEAR, 0, 1);
const MAX_TIME = Date.UTC(MAX_YEAR + 1, 0, 1) - 1;
export const DATE_RANGE_MESSAGE = `Dates must fall in the years ${MIN_YEAR}–${MAX_YEAR}`;

export function isDateInRange(d: Date): boolean {
  const t = d.getTime();
  return Number.isFinite(t) && t >= MIN_TIME && t <= MAX_TIME;
}

/** ISO 8601 date-time with an offset, years 1970–9999; stays a string. */
export function isoDateTime(message = "An ISO 8601 date-time with a time zone, e.g. 2025-01-31T00:00:00Z") {
  return z.iso
    .datetime({ offset: true, error: message })
    .refine((v) => isDateInRange(new Date(v)), DATE_RANGE_MESSAGE);
}

/** A date (YYYY-MM-DD) or an ISO 8601 time, years 1970–9999; stays a string. */
export function dateOrDateTime(message = "must be a date (YYYY-MM-DD) or an ISO 8601 time") {
  return z
    .string()
    .trim()
    .refine((s) => /^\d{4}-\d{2}-\d{2}/.test(s) && !Number.isNaN(Date.parse(s)), message)
    .refine((s) => isDateInRange(new Date(s)), DATE_RANGE_MESSAGE);
}

// ---------------------------------------------------------------------------------------------
// Free-form JSON (context, template data, metadata): bounded in depth, keys and size, so
// neither Postgres nor a recursive reader on the event loop can be made to overflow.

export function boundedJsonObject(opts: Partial<JsonLimits> & { maxBytes?: number; label?: string } = {}) {
  const limits: JsonLimits = { maxDepth: opts.maxDepth ?? 8, maxKeys: opts.maxKeys ?? 500 };
  const maxBytes = opts.maxBytes ?? 16_384;
  const label = opts.label ?? "The object";
  return z.record(z.string(), z.unknown()).superRefine((v, ctx) => {
    const problem = inspectJson(v, limits);
    if (problem) {
      ctx.addIssue({ code: "custom", path: problem.path, message: problem.message });
      return;
    }
    if (JSON.stringify(v).length > maxBytes) {
      ctx.addIssue({ code: "custom", message: `${label} is at most ${Math.round(maxBytes / 1024)} KiB of JSON` });
    }
  });
}
