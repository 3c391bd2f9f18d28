// Compiles a validated segment AST to a parameterised SQL condition on `contacts`. Field names
// map to fixed columns or attribute paths whose keys are bound as parameters; values always are.
import { and, or, sql, type SQL } from "drizzle-orm";
import { contacts } from "../schema";

export type SegmentScalar = string | number | boolean;
export type SegmentAst =
  | { field: string; op: "eq" | "neq"; value: SegmentScalar }
  | { field: string; op: "in"; values: SegmentScalar[] }
  | { field: string; op: "exists" | "not_exists" }
  | { field: string; op: "gt" | "gte" | "lt" | "lte"; value: number | string }
  | { and: SegmentAst[] }
  | { or: SegmentAst[] };

const columns: Record<string, SQL> = {
  name: sql`${contacts.name}`,
  email: sql`${contacts.email}`,
  phone: sql`${contacts.phone}`,
  whatsapp: sql`coalesce(${contacts.whatsapp}, ${contacts.phone})`,
  external_id: sql`${contacts.externalId}`,
  locale: sql`${contacts.locale}`,
  timezone: sql`${contacts.timezone}`,
  created_at: sql`${contacts.createdAt}`,
  updated_at: sql`${contacts.updatedAt}`,
};
const dateColumns = new Set(["created_at", "updated_at"]);
const comparators = { gt: sql.raw(">"), gte: sql.raw(">="), lt: sql.raw("<"), lte: sql.raw("<=") } as const;

/** `attributes -> $k1 -> $k2` (jsonb) or, with `asText`, the last hop as `->>` (text). */
function attributeRef(keys: string[], asText: boolean): SQL {
  let expr = sql`${contacts.attributes}`;
  keys.forEach((k, i) => {
    expr = i === keys.length - 1 && asText ? sql`(${expr} ->> ${k})` : sql`(${expr} -> ${k})`;
  });
  return expr;
}

export function compileSegment(node: SegmentAst): SQL {
  if ("and" in node) return and(...node.and.map(compileSegment)) ?? sql`true`;
  if ("or" in node) return or(...node.or.map(compileSegment)) ?? sql`false`;
  const attr = node.field.startsWith("attributes.") ? node.field.split(".").slice(1) : null;
  if (attr) {
    const json = attributeRef(attr, false);
    switch (node.op) {
      case "eq":
        return sql`${json} = ${JSON.stringify(node.value)}::jsonb`;
      case "neq":
        return sql`${json} is distinct from ${JSON.stringify(node.value)}::jsonb`;
      case "in":
        return sql`${json} in (${sql.join(node.values.map((v) => sql`${JSON.stringify(v)}::jsonb`), sql`, `)})`;
      case "exists":
        return sql`(${json} is not null and ${json} <> 'null'::jsonb)`;
      case "not_exists":
        return sql`(${json} is null or ${json} = 'null'::jsonb)`;
      default: {
        const cmp = comparators[node.op];
        if (typeof node.value === "number") {
          return sql`(case when jsonb_typeof(${json}) = 'number' then (${attributeRef(attr, true)})::numeric end) ${cmp} ${node.value}`;
        }
        return sql`herald_try_timestamptz(${attributeRef(attr, true)}) ${cmp} ${node.value}::timestamptz`;
      }
    }
  }
  const col = columns[node.field];
  if (!col) throw new Error(`unknown segment field ${node.field}`);
  switch (node.op) {
    case "eq":
      return sql`${col} = ${String(node.value)}`;
    case "neq":
      return sql`${col} is distinct from ${String(node.value)}`;
    case "in":
      return sql`${col} in (${sql.join(node.values.map((v) => sql`${String(v)}`), sql`, `)})`;
    case "exists":
      return sql`${col} is not null`;
    case "not_exists":
      return sql`${col} is null`;
    default:
      if (!dateColumns.has(node.field)) throw new Error(`${node.field} is not comparable`);
      return sql`${col} ${comparators[node.op]} ${String(node.value)}::timestamptz`;
  }
}
