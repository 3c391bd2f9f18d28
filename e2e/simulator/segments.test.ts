import { describe, expect, it } from "vitest";
import { countSmsParts } from "./segments";

describe("countSmsParts", () => {
  it.each([
    ["a".repeat(160), "GSM-7", 1],
    ["a".repeat(161), "GSM-7", 2],
    ["a".repeat(306), "GSM-7", 2],
    ["a".repeat(307), "GSM-7", 3],
    ["€".repeat(80), "GSM-7", 1],
    ["€".repeat(81), "GSM-7", 2],
    ["å".repeat(160), "GSM-7", 1],
    ["ж".repeat(70), "UCS-2", 1],
    ["ж".repeat(71), "UCS-2", 2],
    ["😀".repeat(35), "UCS-2", 1],
    ["😀".repeat(36), "UCS-2", 2],
  ])("%#: %s", (text, encoding, parts) => {
    expect(countSmsParts(text)).toMatchObject({ encoding, parts });
  });
});
