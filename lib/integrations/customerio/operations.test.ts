import { describe, expect, it } from "vitest";
import { mappingSchema } from "@/lib/validations/customerio";
import { buildObjectIdentify, buildPersonIdentify, hashOps, packBatches, truncateUtf8, type PersonSource } from "./operations";

const mapping = mappingSchema.parse({});
const person = (over: Partial<PersonSource> = {}): PersonSource => ({
  id: "00000000-0000-4000-8000-000000000001",
  externalId: "p-1",
  name: "Ada",
  email: "ada@example.test",
  phone: null,
  whatsapp: null,
  locale: "sv-SE",
  timezone: null,
  attributes: {},
  createdAt: new Date("2026-01-01T00:00:00Z"),
  unsubscribed: [],
  ...over,
});

describe("Customer.io operations", () => {
  it("maps a contact to an identify with email, created_at, mapped fields and attributes", () => {
    const built = buildPersonIdentify(person({ attributes: { team: "u10" }, unsubscribed: ["email", "sms"] }), mapping);
    expect(built).toMatchObject({ ok: true, warnings: [] });
    if (!built.ok) return;
    expect(built.ops[0]).toEqual({
      type: "person",
      action: "identify",
      identifiers: { id: "p-1" },
      attributes: { email: "ada@example.test", created_at: 1767225600, name: "Ada", phone: null, locale: "sv-SE", timezone: null, team: "u10", unsubscribed: true, unsubscribed_channels: "email,sms" },
    });
    const only = buildPersonIdentify(person({ attributes: { team: "u10", secret: "x" } }), mappingSchema.parse({ person_attributes: { team: "cio_team" }, person_fields: {} }));
    expect(only.ok && only.ops[0]!.attributes).toEqual({ email: "ada@example.test", created_at: 1767225600, cio_team: "u10", unsubscribed: false, unsubscribed_channels: "" });
  });

  it("cuts long attribute values on a character boundary with a warning, and refuses long ids and huge operations", () => {
    const built = buildPersonIdentify(person({ name: "å".repeat(600) }), mapping);
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    const name = built.ops[0]!.attributes!.name as string;
    expect(Buffer.byteLength(name)).toBe(1000);
    expect(name).toBe("å".repeat(500));
    expect(built.warnings[0]).toMatch(/"name" was 1200 bytes/);
    expect(truncateUtf8("aé", 2)).toBe("a");

    expect(buildPersonIdentify(person({ externalId: "x".repeat(151) }), mapping)).toEqual({ ok: false, reason: "person id is 151 bytes; Customer.io allows 150" });
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, "v".repeat(999)]));
    const huge = buildPersonIdentify(person({ attributes: many }), mapping);
    expect(huge.ok).toBe(false);
    expect(!huge.ok && huge.reason).toMatch(/32768 per operation/);
  });

  it("relates a school's people with their roles and unlinks the ones gone", () => {
    const school = { id: "s", slug: "lindholm", name: "Lindholm", type: "primary", city: "Malmö", district: null, address: null, phone: null, email: null, website: null, tags: ["a", "b"], isPublic: true, related: [{ personId: "p-1", roles: ["owner", "staff"] }] };
    const built = buildObjectIdentify(school, "3", mapping, ["p-1", "p-9"]);
    expect(built.ok && built.ops).toEqual([
      {
        type: "object",
        action: "identify",
        identifiers: { object_type_id: "3", object_id: "lindholm" },
        attributes: { name: "Lindholm", type: "primary", city: "Malmö", district: null, website: null, tags: "a,b" },
        cio_relationships: [{ identifiers: { id: "p-1" }, relationship_attributes: { role: "owner,staff" } }],
      },
      { type: "object", action: "delete_relationships", identifiers: { object_type_id: "3", object_id: "lindholm" }, cio_relationships: [{ identifiers: { id: "p-9" } }] },
    ]);
  });

  it("packs units in order under the batch limit and hashes deterministically", () => {
    const unit = (n: number) => ({ n, ops: [{ type: "person" as const, action: "identify" as const, identifiers: { id: String(n) }, attributes: { pad: "x".repeat(400) } }] });
    const units = Array.from({ length: 10 }, (_, i) => unit(i));
    const batches = packBatches(units, 1500);
    expect(batches.map((b) => b.map((u) => u.n))).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
    for (const b of batches) expect(Buffer.byteLength(JSON.stringify({ batch: b.flatMap((u) => u.ops) }))).toBeLessThanOrEqual(1500);
    expect(hashOps(unit(1).ops)).toBe(hashOps(unit(1).ops));
    expect(hashOps(unit(1).ops)).not.toBe(hashOps(unit(2).ops));
  });
});
