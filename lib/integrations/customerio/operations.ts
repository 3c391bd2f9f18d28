// Herald contacts and schools as Track v2 operations, within Customer.io's field limits: an
// attribute value over 1,000 bytes is cut (and a warning recorded), an id over 150 bytes or an
// operation over 32 KB is refused (the entity is dead-lettered with the reason).
import { createHash } from "node:crypto";
import type { CustomerioMapping } from "@/lib/validations/customerio";
import { LIMITS } from "./definition";

export interface TrackOperation {
  type: "person" | "object";
  action: "identify" | "delete" | "delete_relationships";
  identifiers: Record<string, string>;
  attributes?: Record<string, unknown>;
  cio_relationships?: { identifiers: Record<string, string>; relationship_attributes?: Record<string, unknown> }[];
}

export interface PersonSource {
  id: string;
  externalId: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
  whatsapp: string | null;
  locale: string | null;
  timezone: string | null;
  attributes: Record<string, unknown>;
  createdAt: Date;
  /** Channels unsubscribed channel-wide. */
  unsubscribed: string[];
}

export interface SchoolSource {
  id: string;
  slug: string;
  name: string;
  type: string;
  city: string;
  district: string | null;
  address: string | null;
  phone: string | null;
  email: string | null;
  website: string | null;
  tags: string[];
  isPublic: boolean;
  /** Related people (by their Customer.io id) with their roles at the school. */
  related: { personId: string; roles: string[] }[];
}

export type Built = { ok: true; ops: TrackOperation[]; warnings: string[] } | { ok: false; reason: string };

/** The person's id in Customer.io: the tenant's external id, else Herald's contact id. */
export function personId(c: Pick<PersonSource, "id" | "externalId">): string {
  return c.externalId ?? c.id;
}

export function objectId(s: Pick<SchoolSource, "id" | "slug">, mapping: CustomerioMapping): string {
  return mapping.object_id === "slug" ? s.slug : s.id;
}

const bytes = (s: string) => Buffer.byteLength(s);

function idProblem(kind: string, id: string): string | null {
  return bytes(id) > LIMITS.idBytes ? `${kind} id is ${bytes(id)} bytes; Customer.io allows ${LIMITS.idBytes}` : null;
}

/** Cuts string values to the limit on a UTF-8 boundary; objects/arrays are sent as JSON and cut the same way. */
function fitAttributes(attrs: Record<string, unknown>, warnings: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined) continue;
    if (bytes(name) > LIMITS.attributeNameBytes) {
      warnings.push(`attribute name "${name.slice(0, 40)}…" is over ${LIMITS.attributeNameBytes} bytes: not sent`);
      continue;
    }
    const text = typeof value === "string" ? value : value !== null && typeof value === "object" ? JSON.stringify(value) : null;
    if (text !== null && bytes(text) > LIMITS.attributeValueBytes) {
      out[name] = truncateUtf8(text, LIMITS.attributeValueBytes);
      warnings.push(`attribute "${name}" was ${bytes(text)} bytes: cut to ${LIMITS.attributeValueBytes}`);
    } else {
      out[name] = value;
    }
  }
  return out;
}

export function truncateUtf8(s: string, max: number): string {
  const buf = Buffer.from(s);
  if (buf.length <= max) return s;
  let end = max;
  // Step back over continuation bytes so a character is never split.
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString("utf8");
}

function checkSize(ops: TrackOperation[]): string | null {
  for (const op of ops) {
    const n = bytes(JSON.stringify(op));
    if (n > LIMITS.operationBytes) return `operation is ${n} bytes; Customer.io allows ${LIMITS.operationBytes} per operation`;
  }
  return null;
}

export function buildPersonIdentify(c: PersonSource, mapping: CustomerioMapping): Built {
  const id = personId(c);
  const bad = idProblem("person", id);
  if (bad) return { ok: false, reason: bad };
  const warnings: string[] = [];
  const attrs: Record<string, unknown> = { email: c.email, created_at: Math.floor(c.createdAt.getTime() / 1000) };
  for (const [field, name] of Object.entries(mapping.person_fields)) {
    if (name) attrs[name] = c[field as keyof typeof mapping.person_fields] ?? null;
  }
  if (mapping.person_attributes === "all") {
    for (const [k, v] of Object.entries(c.attributes)) if (!(k in attrs)) attrs[k] = v;
  } else {
    for (const [k, name] of Object.entries(mapping.person_attributes)) if (k in c.attributes) attrs[name] = c.attributes[k];
  }
  // Customer.io's own flag is email-only; the other channels travel as a list.
  attrs.unsubscribed = c.unsubscribed.includes("email");
  attrs.unsubscribed_channels = c.unsubscribed.join(",");
  const ops: TrackOperation[] = [{ type: "person", action: "identify", identifiers: { id }, attributes: fitAttributes(attrs, warnings) }];
  const tooBig = checkSize(ops);
  return tooBig ? { ok: false, reason: tooBig } : { ok: true, ops, warnings };
}

export function buildPersonDelete(cioId: string): TrackOperation {
  return { type: "person", action: "delete", identifiers: { id: cioId } };
}

export function buildObjectDelete(objectTypeId: string, cioId: string): TrackOperation {
  return { type: "object", action: "delete", identifiers: { object_type_id: objectTypeId, object_id: cioId } };
}

/**
 * The school's object with its related people (the role as a relationship attribute), plus a
 * `delete_relationships` for people related at the last send and no longer.
 */
export function buildObjectIdentify(s: SchoolSource, objectTypeId: string, mapping: CustomerioMapping, previouslyRelated: string[]): Built {
  const oid = objectId(s, mapping);
  const bad = idProblem("object", oid);
  if (bad) return { ok: false, reason: bad };
  const warnings: string[] = [];
  const values: Record<string, unknown> = {
    name: s.name,
    type: s.type,
    city: s.city,
    district: s.district,
    address: s.address,
    phone: s.phone,
    email: s.email,
    website: s.website,
    tags: s.tags.join(","),
    is_public: s.isPublic,
  };
  const attrs: Record<string, unknown> = {};
  for (const [field, name] of Object.entries(mapping.school_fields)) if (name) attrs[name] = values[field] ?? null;
  const identifiers = { object_type_id: objectTypeId, object_id: oid };
  const related = s.related.filter((r) => !idProblem("person", r.personId));
  const ops: TrackOperation[] = [
    {
      type: "object",
      action: "identify",
      identifiers,
      attributes: fitAttributes(attrs, warnings),
      cio_relationships: related.map((r) => ({ identifiers: { id: r.personId }, relationship_attributes: { role: r.roles.join(",") } })),
    },
  ];
  const now = new Set(related.map((r) => r.personId));
  const gone = previouslyRelated.filter((p) => !now.has(p));
  if (gone.length) ops.push({ type: "object", action: "delete_relationships", identifiers, cio_relationships: gone.map((id) => ({ identifiers: { id } })) });
  const tooBig = checkSize(ops);
  return tooBig ? { ok: false, reason: tooBig } : { ok: true, ops, warnings };
}

export function hashOps(ops: TrackOperation[]): string {
  return createHash("sha256").update(JSON.stringify(ops)).digest("base64url");
}

/**
 * Packs units (an entity's operations, which travel together) into batches under the batch
 * limit, in order. Every unit fits (checkSize refused larger operations before).
 */
export function packBatches<U extends { ops: TrackOperation[] }>(units: U[], maxBytes: number = LIMITS.batchBytes): U[][] {
  const envelope = bytes('{"batch":[]}');
  const batches: U[][] = [];
  let current: U[] = [];
  let size = envelope;
  for (const unit of units) {
    const unitBytes = unit.ops.reduce((n, op) => n + bytes(JSON.stringify(op)) + 1, 0);
    if (current.length && size + unitBytes > maxBytes) {
      batches.push(current);
      current = [];
      size = envelope;
    }
    current.push(unit);
    size += unitBytes;
  }
  if (current.length) batches.push(current);
  return batches;
}
