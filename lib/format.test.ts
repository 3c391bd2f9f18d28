import { describe, expect, it } from "vitest";
import { addDaysInZone, createFormatter, dayInputToInstant, instantToDayInput, monthInZone, startOfDayInZone, zonedTimeToInstant } from "./format";

describe("wall-clock days in a zone", () => {
  it("starts the day at local midnight, not UTC's", () => {
    // 23:30 UTC on 1 Dec is already 2 Dec in Stockholm (UTC+1) and still 1 Dec in New York.
    const at = "2026-12-01T23:30:00Z";
    expect(startOfDayInZone(at, "Europe/Stockholm").toISOString()).toBe("2026-12-01T23:00:00.000Z");
    expect(startOfDayInZone(at, "America/New_York").toISOString()).toBe("2026-12-01T05:00:00.000Z");
    expect(startOfDayInZone(at, "UTC").toISOString()).toBe("2026-12-01T00:00:00.000Z");
  });

  it("steps local days across a DST change (23 and 25 hour days)", () => {
    const spring = startOfDayInZone("2026-03-29T12:00:00Z", "Europe/Stockholm");
    expect(addDaysInZone(spring, 1, "Europe/Stockholm").getTime() - spring.getTime()).toBe(23 * 3_600_000);
    const autumn = startOfDayInZone("2026-10-25T12:00:00Z", "Europe/Stockholm");
    expect(addDaysInZone(autumn, 1, "Europe/Stockholm").getTime() - autumn.getTime()).toBe(25 * 3_600_000);
  });

  it("finds the month's bounds in the zone", () => {
    const m = monthInZone("2026-11-30T23:30:00Z", "Europe/Istanbul");
    expect(m.start.toISOString()).toBe("2026-11-30T21:00:00.000Z");
    expect(m.end.toISOString()).toBe("2026-12-31T21:00:00.000Z");
  });

  it("reads date inputs as whole days in the user's zone and back", () => {
    expect(dayInputToInstant("2026-12-07", "Asia/Kolkata", false)).toBe("2026-12-06T18:30:00.000Z");
    expect(dayInputToInstant("2026-12-07", "Asia/Kolkata", true)).toBe("2026-12-07T18:29:59.999Z");
    expect(dayInputToInstant("07/12/2026", "UTC", false)).toBeUndefined();
    expect(instantToDayInput("2026-12-06T18:30:00.000Z", "Asia/Kolkata")).toBe("2026-12-07");
    expect(zonedTimeToInstant("UTC", 2026, 1, 32)).toBe(Date.UTC(2026, 1, 1));
  });
});

describe("createFormatter", () => {
  it("shows seconds and the zone, in the chosen zone", () => {
    const f = createFormatter({ timeZone: "Europe/Stockholm", locale: "en-GB" });
    expect(f.dateTime("2026-12-01T21:14:05Z")).toBe("1 Dec 2026, 22:14:05 CET");
    const ny = createFormatter({ timeZone: "America/New_York", locale: "en-US" });
    expect(ny.dateTime("2026-12-01T21:14:05Z")).toMatch(/^Dec 1, 2026, 04:14:05\s?PM EST$/);
  });

  it("formats axes, tooltips and numbers from the same preferences", () => {
    const f = createFormatter({ timeZone: "Europe/Stockholm", locale: "sv-SE" });
    expect(f.axis("2026-12-01T21:00:00Z", "hour")).toBe("22:00");
    expect(f.bucket("2026-12-01T21:00:00Z", "hour")).toContain("22:00");
    expect(f.number(1234567)).toBe("1\u00a0234\u00a0567");
    expect(f.percent(0.5)).toMatch(/^50,0\s?%$/);
    expect(f.percent(null)).toBe("—");
  });

  it("falls back to UTC for a zone the runtime does not know", () => {
    const f = createFormatter({ timeZone: "Mars/Olympus", locale: "en-GB" });
    expect(f.dateTime("2026-12-01T21:14:05Z")).toBe("1 Dec 2026, 21:14:05 UTC");
  });
});
