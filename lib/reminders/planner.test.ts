// The planner across the 2027 DST transitions of Europe/Stockholm (28 Mar, 31 Oct) and
// America/New_York (14 Mar, 7 Nov).
import { describe, expect, it } from "vitest";
import { applyQuietHours, instantOfWallTime, planInstant, ruleInstant } from "./planner";

const iso = (d: Date) => d.toISOString();
const sthlm = "Europe/Stockholm";
const nyc = "America/New_York";

describe("wall-clock instants", () => {
  it("a time skipped when clocks go forward fires at the next valid instant (the jump)", () => {
    // Stockholm 2027-03-28: 02:00 CET → 03:00 CEST at 01:00Z; 02:30 does not exist.
    expect(iso(instantOfWallTime({ year: 2027, month: 3, day: 28, hour: 2, minute: 30 }, sthlm))).toBe("2027-03-28T01:00:00.000Z");
    // New York 2027-03-14: 02:00 EST → 03:00 EDT at 07:00Z.
    expect(iso(instantOfWallTime({ year: 2027, month: 3, day: 14, hour: 2, minute: 30 }, nyc))).toBe("2027-03-14T07:00:00.000Z");
    // Just outside the gap nothing moves.
    expect(iso(instantOfWallTime({ year: 2027, month: 3, day: 28, hour: 3, minute: 0 }, sthlm))).toBe("2027-03-28T01:00:00.000Z");
    expect(iso(instantOfWallTime({ year: 2027, month: 3, day: 28, hour: 1, minute: 59 }, sthlm))).toBe("2027-03-28T00:59:00.000Z");
  });

  it("a time that happens twice when clocks go back fires once, at its first occurrence", () => {
    // Stockholm 2027-10-31: 03:00 CEST → 02:00 CET at 01:00Z; 02:30 happens at 00:30Z and 01:30Z.
    expect(iso(instantOfWallTime({ year: 2027, month: 10, day: 31, hour: 2, minute: 30 }, sthlm))).toBe("2027-10-31T00:30:00.000Z");
    // New York 2027-11-07: 02:00 EDT → 01:00 EST at 06:00Z; 01:30 happens at 05:30Z and 06:30Z.
    expect(iso(instantOfWallTime({ year: 2027, month: 11, day: 7, hour: 1, minute: 30 }, nyc))).toBe("2027-11-07T05:30:00.000Z");
  });

  it("ordinary days map straight to their offset", () => {
    expect(iso(instantOfWallTime({ year: 2027, month: 7, day: 1, hour: 18, minute: 0 }, sthlm))).toBe("2027-07-01T16:00:00.000Z");
    expect(iso(instantOfWallTime({ year: 2027, month: 1, day: 15, hour: 18, minute: 0 }, nyc))).toBe("2027-01-15T23:00:00.000Z");
  });
});

describe("rule instants", () => {
  // A Sunday throw-off at 10:00 in Stockholm, the day the clocks go forward.
  const event = { startsAt: new Date("2027-03-28T08:00:00Z"), timezone: sthlm };

  it("offsets are exact durations (24 h before a DST change is 23 wall-clock hours)", () => {
    expect(iso(ruleInstant({ kind: "offset", minutes: -24 * 60 }, event, null))).toBe("2027-03-27T08:00:00.000Z");
    expect(iso(ruleInstant({ kind: "offset", minutes: -7 * 24 * 60 }, event, sthlm))).toBe("2027-03-21T08:00:00.000Z");
  });

  it("absolute rules ignore zones", () => {
    expect(iso(ruleInstant({ kind: "absolute", at: "2027-03-20T12:00:00Z" }, event, nyc))).toBe("2027-03-20T12:00:00.000Z");
  });

  it("local rules: the day before at 18:00 on the recipient's clock, the event's day in its own zone", () => {
    const dayBefore = { kind: "local" as const, days_before: 1, time: "18:00" };
    // Saturday 27 March 18:00 CET (still winter time) = 17:00Z.
    expect(iso(ruleInstant(dayBefore, event, null))).toBe("2027-03-27T17:00:00.000Z");
    expect(iso(ruleInstant(dayBefore, event, sthlm))).toBe("2027-03-27T17:00:00.000Z");
    // A New York recipient: 27 March 18:00 EDT (New York changed on 14 March) = 22:00Z.
    expect(iso(ruleInstant(dayBefore, event, nyc))).toBe("2027-03-27T22:00:00.000Z");
    // The morning of the event, 02:30 local: skipped hour → 03:00 CEST.
    expect(iso(ruleInstant({ kind: "local", days_before: 0, time: "02:30" }, event, sthlm))).toBe("2027-03-28T01:00:00.000Z");
  });

  it("an unknown recipient zone falls back to the event's zone", () => {
    const dayBefore = { kind: "local" as const, days_before: 1, time: "18:00" };
    expect(iso(ruleInstant(dayBefore, event, "Mars/Olympus_Mons"))).toBe("2027-03-27T17:00:00.000Z");
  });

  it("local rules on New York's fall-back day: 01:30 fires once, at the first 01:30", () => {
    const nyEvent = { startsAt: new Date("2027-11-08T14:00:00Z"), timezone: nyc };
    expect(iso(ruleInstant({ kind: "local", days_before: 1, time: "01:30" }, nyEvent, null))).toBe("2027-11-07T05:30:00.000Z");
  });
});

describe("quiet hours", () => {
  const quiet = { start: "21:00", end: "08:00", channels: ["sms" as const] };
  const event = { startsAt: new Date("2027-03-16T18:00:00Z"), timezone: nyc };

  it("moves a send inside the window to its end, across the spring-forward night", () => {
    // Saturday 13 March 23:00 EST (04:00Z on the 14th) → Sunday 14 March 08:00 EDT = 12:00Z.
    const r = applyQuietHours(new Date("2027-03-14T04:00:00Z"), quiet, "sms", nyc, event);
    expect(r).toEqual({ at: new Date("2027-03-14T12:00:00Z"), skip: null });
    // Early morning part of the window: 06:00 EDT on the 15th → 08:00 the same day.
    expect(applyQuietHours(new Date("2027-03-15T10:00:00Z"), quiet, "sms", nyc, event).at).toEqual(new Date("2027-03-15T12:00:00Z"));
  });

  it("leaves other channels and times outside the window alone", () => {
    const at = new Date("2027-03-14T04:00:00Z");
    expect(applyQuietHours(at, quiet, "email", nyc, event)).toEqual({ at, skip: null });
    const noon = new Date("2027-03-15T16:00:00Z");
    expect(applyQuietHours(noon, quiet, "sms", nyc, event)).toEqual({ at: noon, skip: null });
  });

  it("skips a send the window would push to or past the event's start", () => {
    const early = { startsAt: new Date("2027-03-15T11:00:00Z"), timezone: nyc }; // 07:00 EDT
    const at = new Date("2027-03-15T02:00:00Z"); // 22:00 EDT the evening before
    expect(applyQuietHours(at, quiet, "sms", nyc, early)).toEqual({ at, skip: "quiet_hours" });
  });

  it("applies in the recipient's zone through planInstant", () => {
    const rule = { timing: { kind: "offset" as const, minutes: -12 * 60 }, quietHours: quiet };
    const stockholmEvent = { startsAt: new Date("2027-06-10T08:00:00Z"), timezone: sthlm };
    // 20:00Z = 22:00 in Stockholm (quiet → 08:00 = 06:00Z) but 16:00 in New York (not quiet).
    expect(planInstant(rule, stockholmEvent, sthlm, "sms")).toEqual({ at: new Date("2027-06-10T06:00:00Z"), skip: null });
    expect(planInstant(rule, stockholmEvent, nyc, "sms")).toEqual({ at: new Date("2027-06-09T20:00:00Z"), skip: null });
  });
});
