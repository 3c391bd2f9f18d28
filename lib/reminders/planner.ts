// The planner's arithmetic: when a rule fires for a recipient in a given zone, on a given channel.
// Pure (no I/O), so the DST cases are tested directly and the 1 M-send planning bench measures it.
import { DateTime, IANAZone } from "luxon";
import type { QuietHours, RuleTiming } from "@/db/schema/reminders";

export interface PlanEvent {
  startsAt: Date;
  /** The event's IANA zone: local rules count days in it; recipients without a zone use it. */
  timezone: string;
}

export interface PlannedInstant {
  /** The send instant (UTC), quiet hours applied. */
  at: Date;
  /** Set when the send will not go out: quiet hours pushed it to or past the event's start. */
  skip: "quiet_hours" | null;
}

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const zoneCache = new Map<string, boolean>();

/** Whether `zone` is an IANA zone this runtime knows (cached: zones are few, checks are not free). */
export function isValidZone(zone: string): boolean {
  let ok = zoneCache.get(zone);
  if (ok === undefined) {
    ok = IANAZone.isValidZone(zone);
    if (zoneCache.size < 2000) zoneCache.set(zone, ok);
  }
  return ok;
}

function parseHm(hm: string): { hour: number; minute: number } {
  const [h, m] = hm.split(":");
  return { hour: Number(h), minute: Number(m) };
}

function wallOf(ms: number, zone: string): Wall {
  const d = DateTime.fromMillis(ms, { zone });
  return { year: d.year, month: d.month, day: d.day, hour: d.hour, minute: d.minute };
}

function sameWall(a: Wall, b: Wall) {
  return a.year === b.year && a.month === b.month && a.day === b.day && a.hour === b.hour && a.minute === b.minute;
}

function offsetMinutes(ms: number, zone: string): number {
  return DateTime.fromMillis(ms, { zone }).offset;
}

/**
 * The instant a wall-clock time names in `zone`. A time that happens twice (the repeated hour
 * when clocks go back) is its first occurrence, so it fires once; a time that does not exist
 * (skipped when clocks go forward) is the next valid instant, the moment the clocks jump.
 */
export function instantOfWallTime(wall: Wall, zone: string): Date {
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  // The offsets in force around that day: a transition has one before and one after.
  const offsets = [...new Set([offsetMinutes(asUtc - 86_400_000, zone), offsetMinutes(asUtc, zone), offsetMinutes(asUtc + 86_400_000, zone)])];
  const matches = offsets.map((o) => asUtc - o * 60_000).filter((ms) => sameWall(wallOf(ms, zone), wall));
  if (matches.length > 0) return new Date(Math.min(...matches));
  // In a gap: between the instant read with the later offset and with the earlier one, find
  // the first instant whose offset is the later one (the jump).
  const sorted = offsets.sort((a, b) => a - b);
  const before = sorted[0]!;
  const after = sorted[sorted.length - 1]!;
  let lo = asUtc - after * 60_000;
  let hi = asUtc - before * 60_000;
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (offsetMinutes(mid, zone) === after) hi = mid;
    else lo = mid;
  }
  return new Date(hi);
}

/** The rule's instant for a recipient in `zone` (null: the event's zone), before quiet hours. */
export function ruleInstant(timing: RuleTiming, event: PlanEvent, zone: string | null): Date {
  switch (timing.kind) {
    case "offset":
      return new Date(event.startsAt.getTime() + timing.minutes * 60_000);
    case "absolute":
      return new Date(timing.at);
    case "local": {
      // The event's day is its calendar day where it happens; the wall time is the recipient's.
      const day = DateTime.fromJSDate(event.startsAt, { zone: event.timezone }).startOf("day").minus({ days: timing.days_before });
      const { hour, minute } = parseHm(timing.time);
      const recipientZone = zone && isValidZone(zone) ? zone : event.timezone;
      return instantOfWallTime({ year: day.year, month: day.month, day: day.day, hour, minute }, recipientZone);
    }
  }
}

function minutesOfDay(w: { hour: number; minute: number }) {
  return w.hour * 60 + w.minute;
}

/** Whether local `w` falls inside [start, end), a window that may wrap midnight (21:00–08:00). */
function insideWindow(w: Wall, quiet: QuietHours): boolean {
  const t = minutesOfDay(w);
  const start = minutesOfDay(parseHm(quiet.start));
  const end = minutesOfDay(parseHm(quiet.end));
  if (start === end) return false;
  return start < end ? t >= start && t < end : t >= start || t < end;
}

/**
 * Quiet hours for `channel` in `zone`: an instant inside the window moves to its end (the next
 * `end` wall time, DST-aware); skipped when that is at or after the event's start.
 */
export function applyQuietHours(at: Date, quiet: QuietHours | null, channel: string, zone: string, event: PlanEvent): PlannedInstant {
  if (!quiet || !quiet.channels.includes(channel as QuietHours["channels"][number])) return { at, skip: null };
  const wall = wallOf(at.getTime(), zone);
  if (!insideWindow(wall, quiet)) return { at, skip: null };
  const end = parseHm(quiet.end);
  let day = DateTime.fromObject({ year: wall.year, month: wall.month, day: wall.day }, { zone });
  // A window that wraps midnight ends tomorrow when we are in its evening part.
  if (minutesOfDay(wall) >= minutesOfDay(end)) day = day.plus({ days: 1 });
  const moved = instantOfWallTime({ year: day.year, month: day.month, day: day.day, ...end }, zone);
  return moved.getTime() >= event.startsAt.getTime() ? { at, skip: "quiet_hours" } : { at: moved, skip: null };
}

export interface PlannableRule {
  timing: RuleTiming;
  quietHours: QuietHours | null;
}

/**
 * The send instant of one rule × recipient zone × channel. Depends on the recipient only through
 * the zone, so callers plan per distinct zone (a few hundred at most) and join the audience to it.
 */
export function planInstant(rule: PlannableRule, event: PlanEvent, zone: string | null, channel: string): PlannedInstant {
  const recipientZone = zone && isValidZone(zone) ? zone : event.timezone;
  return applyQuietHours(ruleInstant(rule.timing, event, recipientZone), rule.quietHours, channel, recipientZone, event);
}
