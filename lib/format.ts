// The one place dates, times and numbers are formatted, and wall-clock days are turned into
// instants, for a time zone and locale. Tables, drawers, chart axes, tooltips and date filters all
// read it (client components through `useFormat()`), so one page never shows one instant three ways.

export interface FormatPrefs {
  /** IANA zone, e.g. Europe/Stockholm. */
  timeZone: string;
  /** BCP 47 tag, e.g. en-GB. */
  locale: string;
}

export const DEFAULT_PREFS: FormatPrefs = { timeZone: "UTC", locale: "en-GB" };

type DateInput = string | number | Date;
const toDate = (v: DateInput) => (v instanceof Date ? v : new Date(v));

// Building an Intl formatter costs far more than using one: keep them per (locale, zone, style),
// bounded so a long session switching zones can't grow the cache without limit.
const cache = new Map<string, Intl.DateTimeFormat>();
function dtf(prefs: FormatPrefs, style: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${prefs.locale}|${prefs.timeZone}|${style}`;
  let f = cache.get(key);
  if (!f) {
    if (cache.size > 200) cache.clear();
    try {
      f = new Intl.DateTimeFormat(prefs.locale, { ...options, timeZone: prefs.timeZone });
    } catch {
      // An unknown zone or locale from an old browser: UTC and the default locale, still labelled.
      f = new Intl.DateTimeFormat(DEFAULT_PREFS.locale, { ...options, timeZone: "UTC" });
    }
    cache.set(key, f);
  }
  return f;
}

const STYLES = {
  // Seconds and the zone: sequence matters wherever an instant is shown on its own.
  dateTime: { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short" },
  dateTimeShort: { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short" },
  date: { year: "numeric", month: "short", day: "numeric" },
  time: { hour: "2-digit", minute: "2-digit", second: "2-digit" },
  hour: { hour: "2-digit", minute: "2-digit" },
  day: { month: "short", day: "numeric" },
  zoneName: { timeZoneName: "short" },
  parts: { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" },
} as const satisfies Record<string, Intl.DateTimeFormatOptions>;

const fmt = (prefs: FormatPrefs, style: keyof typeof STYLES, v: DateInput) => {
  const d = toDate(v);
  return Number.isNaN(d.getTime()) ? "—" : dtf(prefs, style, STYLES[style]).format(d);
};

/** "7 Dec 2026, 14:03:05 CET": an instant with seconds and its zone. */
export const formatInstant = (v: DateInput, prefs: FormatPrefs) => fmt(prefs, "dateTime", v);

/**
 * Kept for code that has no access to the user's preferences (server-rendered mail, other
 * branches' pages before they move to `useFormat()`): UTC, labelled as such.
 */
export function formatDateTime(v: DateInput): string {
  return formatInstant(v, DEFAULT_PREFS);
}

/** The zone's short name at an instant ("CET", "GMT+3"). */
export function zoneAbbreviation(prefs: FormatPrefs, at: DateInput = new Date()): string {
  const part = dtf(prefs, "zoneName", STYLES.zoneName)
    .formatToParts(toDate(at))
    .find((p) => p.type === "timeZoneName");
  return part?.value ?? prefs.timeZone;
}

// ------------------------------------------------------------------------------ wall-clock days

interface WallParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallParts(instant: number, timeZone: string): WallParts {
  const out: Record<string, number> = {};
  for (const p of dtf({ timeZone, locale: "en-US" }, "parts", STYLES.parts).formatToParts(new Date(instant))) {
    if (p.type !== "literal") out[p.type] = Number(p.value);
  }
  return { year: out.year!, month: out.month!, day: out.day!, hour: out.hour! % 24, minute: out.minute!, second: out.second! };
}

function offsetAt(instant: number, timeZone: string): number {
  const p = wallParts(instant, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - (instant - (((instant % 1000) + 1000) % 1000));
}

/**
 * The instant a wall-clock time in `timeZone` names (day overflow allowed: day 32 is the next
 * month). In a DST gap the later side is taken; in an overlap the first occurrence.
 */
export function zonedTimeToInstant(timeZone: string, year: number, month: number, day: number, hour = 0, minute = 0): number {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  const o1 = offsetAt(guess, timeZone);
  const t1 = guess - o1;
  const o2 = offsetAt(t1, timeZone);
  if (o1 === o2) return t1;
  const t2 = guess - o2;
  return offsetAt(t2, timeZone) === o2 ? t2 : Math.max(t1, t2);
}

/** Midnight of the day `at` falls on, in `timeZone`. */
export function startOfDayInZone(at: DateInput, timeZone: string): Date {
  const p = wallParts(toDate(at).getTime(), timeZone);
  return new Date(zonedTimeToInstant(timeZone, p.year, p.month, p.day));
}

/** Midnight `days` local days after the day `at` falls on (negative goes back). */
export function addDaysInZone(at: DateInput, days: number, timeZone: string): Date {
  const p = wallParts(toDate(at).getTime(), timeZone);
  return new Date(zonedTimeToInstant(timeZone, p.year, p.month, p.day + days));
}

/** The first midnight of the month `at` falls in, in `timeZone`, and of the next month. */
export function monthInZone(at: DateInput, timeZone: string): { start: Date; end: Date } {
  const p = wallParts(toDate(at).getTime(), timeZone);
  return {
    start: new Date(zonedTimeToInstant(timeZone, p.year, p.month, 1)),
    end: new Date(zonedTimeToInstant(timeZone, p.year, p.month + 1, 1)),
  };
}

/** A date input's "YYYY-MM-DD" read as a whole day in the user's zone: its first or last millisecond. */
export function dayInputToInstant(value: string, timeZone: string, end: boolean): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = end ? zonedTimeToInstant(timeZone, y, mo, d + 1) - 1 : zonedTimeToInstant(timeZone, y, mo, d);
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
}

/** An instant as the "YYYY-MM-DD" of its day in the user's zone (for a date input's value). */
export function instantToDayInput(v: DateInput, timeZone: string): string {
  const p = wallParts(toDate(v).getTime(), timeZone);
  return `${String(p.year).padStart(4, "0")}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`;
}

// --------------------------------------------------------------------------------- the formatter

export interface Formatter {
  prefs: FormatPrefs;
  /** "7 Dec 2026, 14:03:05 CET". */
  dateTime: (v: DateInput) => string;
  /** "7 Dec 2026, 14:03 CET": where minutes are enough (expiry, last used). */
  dateTimeShort: (v: DateInput) => string;
  /** "7 Dec 2026". */
  date: (v: DateInput) => string;
  /** "14:03:05" (the zone is in the column or section heading). */
  time: (v: DateInput) => string;
  /** A chart axis tick: "14:00" for hours, "7 Dec" for days. */
  axis: (v: DateInput, granularity: "hour" | "day") => string;
  /** A chart tooltip's heading: the bucket's start with its zone. */
  bucket: (v: DateInput, granularity: "hour" | "day") => string;
  /** The zone's short name now, e.g. "CET". */
  zone: () => string;
  number: (n: number) => string;
  percent: (ratio: number | null | undefined, digits?: number) => string;
  /** Date-filter helpers in the user's zone. */
  dayStart: (value: string) => string | undefined;
  dayEnd: (value: string) => string | undefined;
  dayInput: (v: DateInput) => string;
}

const numberCache = new Map<string, Intl.NumberFormat>();
function nf(locale: string, key: string, options: Intl.NumberFormatOptions) {
  const k = `${locale}|${key}`;
  let f = numberCache.get(k);
  if (!f) {
    if (numberCache.size > 50) numberCache.clear();
    try {
      f = new Intl.NumberFormat(locale, options);
    } catch {
      f = new Intl.NumberFormat(DEFAULT_PREFS.locale, options);
    }
    numberCache.set(k, f);
  }
  return f;
}

export function createFormatter(prefs: FormatPrefs): Formatter {
  return {
    prefs,
    dateTime: (v) => fmt(prefs, "dateTime", v),
    dateTimeShort: (v) => fmt(prefs, "dateTimeShort", v),
    date: (v) => fmt(prefs, "date", v),
    time: (v) => fmt(prefs, "time", v),
    axis: (v, g) => fmt(prefs, g === "hour" ? "hour" : "day", v),
    bucket: (v, g) => (g === "hour" ? fmt(prefs, "dateTimeShort", v) : `${fmt(prefs, "date", v)} (${zoneAbbreviation(prefs, v)})`),
    zone: () => zoneAbbreviation(prefs),
    number: (n) => nf(prefs.locale, "n", {}).format(n),
    percent: (r, digits = 1) =>
      r === null || r === undefined ? "—" : nf(prefs.locale, `p${digits}`, { style: "percent", minimumFractionDigits: digits, maximumFractionDigits: digits }).format(r),
    dayStart: (value) => dayInputToInstant(value, prefs.timeZone, false),
    dayEnd: (value) => dayInputToInstant(value, prefs.timeZone, true),
    dayInput: (v) => instantToDayInput(v, prefs.timeZone),
  };
}

/** Zones offered in the settings picker: the runtime's list where it has one. */
export function supportedTimeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  const zones = intl.supportedValuesOf?.("timeZone") ?? [];
  return zones.includes("UTC") ? zones : ["UTC", ...zones];
}
