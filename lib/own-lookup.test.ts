import { describe, expect, it } from "vitest";
import { ownLookup } from "./own-lookup";
import { formRecord } from "./webhooks/webhook-provider";
import { elksWebhook } from "./providers/elks/webhook";

describe("lookups keyed by outside input", () => {
  it("find only own entries", () => {
    const table = { sent: 1 };
    expect(ownLookup(table, "sent")).toBe(1);
    for (const k of ["__proto__", "constructor", "toString", "hasOwnProperty"]) expect(ownLookup(table, k)).toBeUndefined();
  });

  it("a 46elks status of __proto__ or constructor is no known status", () => {
    for (const status of ["__proto__", "constructor", "toString"]) {
      const events = elksWebhook.parse({ rawBody: Buffer.from(`id=s1&status=${status}`) } as never);
      expect(events, status).toEqual([]);
    }
  });

  it("form fields named like Object members are kept as data", () => {
    const out = formRecord(new URLSearchParams("constructor=a&__proto__=b&x=1&x=2"));
    expect(Object.hasOwn(out, "constructor") && out.constructor).toBe("a");
    expect(Object.hasOwn(out, "__proto__") && out["__proto__"]).toBe("b");
    expect(out.x).toBe("1");
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });
});
