import { describe, expect, it } from "vitest";
import { z } from "zod";
import "./error-map";

const messageOf = (schema: z.ZodType, value: unknown) => {
  const r = schema.safeParse(value);
  if (r.success) throw new Error("expected a failure");
  return r.error.issues[0]!.message;
};

describe("human validation messages", () => {
  it.each([
    [z.string().min(1), "", "This field is required"],
    [z.object({ name: z.string() }), {}, "This field is required"],
    [z.string().min(8), "short", "Enter at least 8 characters"],
    [z.string().max(3), "long", "Use at most 3 characters"],
    [z.number(), "x", "Enter a number"],
    [z.number().int().min(1), 0, "Must be 1 or more"],
    [z.number().max(10), 11, "Must be 10 or less"],
    [z.string().email(), "nope", "Enter a valid email address, e.g. ada@example.org"],
    [z.string().url(), "nope", "Enter a full URL, e.g. https://example.org/hook"],
    [z.enum(["a", "b"]), "c", "Choose one of: a, b"],
    [z.array(z.string()).min(1), [], "Choose at least one"],
    [z.strictObject({}), { extra: 1 }, "Not a known field: extra"],
  ])("%#", (schema, value, expected) => {
    expect(messageOf(schema as z.ZodType, value)).toBe(expected);
  });

  it("keeps a schema's own message", () => {
    expect(messageOf(z.string().min(1, "Name is required"), "")).toBe("Name is required");
  });

  it("never shows zod's technical wording", () => {
    const m = messageOf(z.object({ a: z.string().min(1) }), { a: "" });
    expect(m).not.toMatch(/Too small|expected string|>=/);
  });
});
