import { describe, expect, it } from "vitest";
import { smsSegments } from "./sms-segments";

describe("smsSegments", () => {
  it.each([
    ["a", "GSM-7", 1],
    ["a".repeat(160), "GSM-7", 1],
    ["a".repeat(161), "GSM-7", 2],
    ["a".repeat(306), "GSM-7", 2],
    ["a".repeat(307), "GSM-7", 3],
    ["Hej! Åsa & Örjan @ 12:00 £5", "GSM-7", 1],
    ["ü".repeat(160), "GSM-7", 1],
    ["ú".repeat(70), "UCS-2", 1],
    ["ж".repeat(70), "UCS-2", 1],
    ["ж".repeat(71), "UCS-2", 2],
    ["ж".repeat(134), "UCS-2", 2],
    ["ж".repeat(135), "UCS-2", 3],
  ])("%#: %s → %s, %i segment(s)", (body, encoding, segments) => {
    const s = smsSegments(body);
    expect(s.encoding).toBe(encoding);
    expect(s.segments).toBe(segments);
  });

  it("counts extension characters as two septets", () => {
    expect(smsSegments("€".repeat(80))).toMatchObject({ encoding: "GSM-7", units: 160, segments: 1, characters: 80 });
    expect(smsSegments("€".repeat(81)).segments).toBe(2);
    expect(smsSegments("a".repeat(159) + "[").segments).toBe(2);
    expect(smsSegments("{}[]~|^\\").units).toBe(16);
  });

  it("never splits an escape pair across parts", () => {
    // 152 basic + € (2 septets) does not fit a 153-septet part: the € moves to part 2.
    expect(smsSegments("a".repeat(152) + "€" + "a".repeat(100)).segments).toBe(2);
    expect(smsSegments("a".repeat(152) + "€" + "a".repeat(152)).segments).toBe(3);
  });

  it("switches the whole message to UCS-2 for one non-GSM character and counts emoji as two units", () => {
    expect(smsSegments("a".repeat(100) + "ç")).toMatchObject({ encoding: "UCS-2", segments: 2 });
    expect(smsSegments("😀".repeat(35))).toMatchObject({ encoding: "UCS-2", units: 70, characters: 35, segments: 1 });
    expect(smsSegments("😀".repeat(36))).toMatchObject({ encoding: "UCS-2", units: 72, segments: 2 });
    // 66 units + a surrogate pair does not fit 67: the emoji starts part 2.
    expect(smsSegments("ж".repeat(66) + "😀" + "ж".repeat(10)).segments).toBe(2);
    expect(smsSegments("ж".repeat(66) + "😀" + "ж".repeat(66)).segments).toBe(3);
  });
});
