// The segment filter language: a JSON AST over contact fields and attributes, validated here and
// compiled to parameterised SQL in db/queries/segments.ts.
import { z } from "zod";

export const SEGMENT_MAX_DEPTH = 5;
export const SEGMENT_MAX_CONDITIONS = 50;
export const SEGMENT_MAX_IN_VALUES = 1000;

/** Contact columns a segment can name; attributes are `attributes.<key>[.<key>…]`. */
export const segmentColumns = ["name", "email", "phone", "whatsapp", "external_id", "locale", "timezone", "created_at", "updated_at"] as const;
export type SegmentColumn = (typeof segmentColumns)[number];
export const segmentDateColumns: readonly SegmentColumn[] = ["created_at", "updated_at"];

const attributePath = /^attributes(\.[A-Za-z_][A-Za-z0-9_]{0,63}){1,5}$/;
export const segmentFieldSchema = z
  .string()
  .trim()
  .refine((f) => (segmentColumns as readonly string[]).includes(f) || attributePath.test(f), {
    message: `A field is one of ${segmentColumns.join(", ")} or attributes.<name> (e.g. attributes.team)`,
  });

const scalar = z.union([z.string().max(1000), z.number().finite(), z.boolean()], "A value is a string, number or boolean");
const isoDate = z.iso.datetime({ offset: true }).or(z.iso.date());
const comparable = z.union([z.number().finite(), isoDate], "Compare with a number or an ISO 8601 date");

export const segmentConditionSchema = z.discriminatedUnion("op", [
  z.strictObject({ field: segmentFieldSchema, op: z.literal("eq"), value: scalar }),
  z.strictObject({ field: segmentFieldSchema, op: z.literal("neq"), value: scalar }),
  z.strictObject({ field: segmentFieldSchema, op: z.literal("in"), values: z.array(scalar).min(1, "Give at least one value").max(SEGMENT_MAX_IN_VALUES) }),
  z.strictObject({ field: segmentFieldSchema, op: z.literal("exists") }),
  z.strictObject({ field: segmentFieldSchema, op: z.literal("not_exists") }),
  z.strictObject({ field: segmentFieldSchema, op: z.enum(["gt", "gte", "lt", "lte"]), value: comparable }),
]);
export type SegmentCondition = z.output<typeof segmentConditionSchema>;

export type SegmentNode = SegmentCondition | { and: SegmentNode[] } | { or: SegmentNode[] };

export const segmentNodeSchema: z.ZodType<SegmentNode> = z.lazy(() =>
  z.union([
    z.strictObject({ and: z.array(segmentNodeSchema).min(1, "and needs at least one condition").max(SEGMENT_MAX_CONDITIONS) }),
    z.strictObject({ or: z.array(segmentNodeSchema).min(1, "or needs at least one condition").max(SEGMENT_MAX_CONDITIONS) }),
    segmentConditionSchema,
  ]),
);

function shape(node: SegmentNode, depth = 1): { depth: number; conditions: number } {
  if ("and" in node || "or" in node) {
    const children = "and" in node ? node.and : node.or;
    let d = depth;
    let n = 0;
    for (const c of children) {
      const s = shape(c, depth + 1);
      d = Math.max(d, s.depth);
      n += s.conditions;
    }
    return { depth: d, conditions: n };
  }
  return { depth, conditions: 1 };
}

/** A segment: the AST, bounded in depth and size; date comparisons only on dates. */
export const segmentSchema = segmentNodeSchema.superRefine((node, ctx) => {
  const s = shape(node);
  if (s.depth > SEGMENT_MAX_DEPTH) ctx.addIssue({ code: "custom", message: `Segments nest at most ${SEGMENT_MAX_DEPTH} levels` });
  if (s.conditions > SEGMENT_MAX_CONDITIONS) ctx.addIssue({ code: "custom", message: `At most ${SEGMENT_MAX_CONDITIONS} conditions` });
  const visit = (n: SegmentNode, path: (string | number)[]) => {
    if ("and" in n) return n.and.forEach((c, i) => visit(c, [...path, "and", i]));
    if ("or" in n) return n.or.forEach((c, i) => visit(c, [...path, "or", i]));
    if ((n.op === "gt" || n.op === "gte" || n.op === "lt" || n.op === "lte") && (segmentDateColumns as readonly string[]).includes(n.field) && typeof n.value !== "string") {
      ctx.addIssue({ code: "custom", path: [...path, "value"], message: `${n.field} compares with an ISO 8601 date` });
    }
    if ((n.op === "gt" || n.op === "gte" || n.op === "lt" || n.op === "lte") && !n.field.startsWith("attributes.") && !(segmentDateColumns as readonly string[]).includes(n.field)) {
      ctx.addIssue({ code: "custom", path: [...path, "op"], message: `${n.field} is text: use eq, neq, in, exists or not_exists` });
    }
  };
  visit(node, []);
});

export const segmentPreviewBody = z.strictObject({ segment: segmentSchema });
