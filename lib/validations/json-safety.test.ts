import { describe, expect, it } from "vitest";
import { boundedJsonObject, dateOrDateTime, isoDateTime, safeText } from "./common";
import { findUnsafeText, inspectJson } from "./json-safety";

function nested(depth: number): unknown {
  let v: unknown = "leaf";
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

describe("findUnsafeText", () => {
  it("flags NUL and unpaired surrogates, passes paired ones", () => {
    expect(findUnsafeText("a\u0000b")).toMatch(/NUL/);
    expect(findUnsafeText("a\ud800b")).toMatch(/surrogate/);
    expect(findUnsafeText("a\udc00")).toMatch(/surrogate/);
    expect(findUnsafeText("\ud800")).toMatch(/surrogate/);
    expect(findUnsafeText("emoji 😀 ok")).toBeNull();
    expect(findUnsafeText("plain")).toBeNull();
  });
});

describe("inspectJson", () => {
  it("names the path of the first unsafe string or key", () => {
    expect(inspectJson({ to: [{ email: "x" }, { name: "a\u0000" }] })).toEqual({ path: ["to", 1, "name"], message: expect.stringMatching(/NUL/) });
    expect(inspectJson({ ["k\ud800"]: 1 })).toMatchObject({ path: ["k\ud800"], message: expect.stringMatching(/^Key/) });
  });

  it("stops at the depth limit without recursing (10,000 levels)", () => {
    const problem = inspectJson(nested(10_000), { maxDepth: 32, maxKeys: 1_000_000 });
    expect(problem?.message).toMatch(/deeper than 32/);
    expect(problem?.path).toHaveLength(32);
    expect(inspectJson(nested(31), { maxDepth: 32, maxKeys: 100 })).toBeNull();
  });

  it("caps keys over the whole document", () => {
    const wide = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i]));
    expect(inspectJson(wide, { maxDepth: 5, maxKeys: 100 })?.message).toMatch(/More than 100 keys/);
  });
});

describe("zod helpers", () => {
  it("safeText refuses NUL and lone surrogates", () => {
    expect(safeText().safeParse("ok").success).toBe(true);
    expect(safeText().safeParse("a\u0000").success).toBe(false);
    expect(safeText().safeParse("a\ud800b").success).toBe(false);
  });

  it("dates outside 1970–9999 are refused and the message says the range", () => {
    for (const v of ["0000-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "-271821-04-20T00:00:00Z", "+275760-09-13T00:00:00Z"]) {
      const r = isoDateTime().safeParse(v);
      expect(r.success, v).toBe(false);
    }
    const r = isoDateTime().safeParse("0000-01-01T00:00:00Z");
    expect(r.error?.issues[0]?.message).toMatch(/1970–9999/);
    expect(isoDateTime().safeParse("2025-01-31T00:00:00Z").success).toBe(true);
    expect(isoDateTime().safeParse("9999-12-31T23:59:59Z").success).toBe(true);
    expect(dateOrDateTime().safeParse("1000-01-01").success).toBe(false);
    expect(dateOrDateTime().safeParse("2025-11-30").success).toBe(true);
  });

  it("boundedJsonObject caps depth, keys and size with the inner path", () => {
    const schema = boundedJsonObject({ maxDepth: 4, maxKeys: 50, maxBytes: 1000 });
    expect(schema.safeParse({ a: { b: 1 } }).success).toBe(true);
    const deep = schema.safeParse(nested(10));
    expect(deep.error?.issues[0]?.message).toMatch(/deeper than 4/);
    expect(schema.safeParse({ s: "x".repeat(2000) }).error?.issues[0]?.message).toMatch(/at most 1 KiB/);
    expect(schema.safeParse({ a: ["ok", "bad\u0000"] }).error?.issues[0]?.path).toEqual(["a", 1]);
  });
});
