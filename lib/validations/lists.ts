import { z } from "zod";
import { contactOut, externalIdSchema } from "./contacts";
import { segmentSchema, type SegmentNode } from "./segments";

export const LIST_MEMBERS_MAX_PER_CALL = 10_000;
/** Members bodies carry up to 10,000 references each (external ids up to 255 characters). */
export const LIST_MEMBERS_BODY_LIMIT = 8 * 1024 * 1024;

const listFields = {
  name: z.string({ error: "Name is required" }).trim().min(1, "Name is required").max(200, "At most 200 characters"),
  description: z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? null : v), z.string().trim().max(2000).nullable().optional()),
};

export const createListBody = z.discriminatedUnion("kind", [
  z.strictObject({ ...listFields, kind: z.literal("static") }),
  z.strictObject({ ...listFields, kind: z.literal("segment"), segment: segmentSchema }),
], "kind is static or segment");
export type CreateListBody = z.output<typeof createListBody>;

export const updateListBody = z.strictObject({ name: listFields.name.optional(), description: listFields.description, segment: segmentSchema.optional() });
export type UpdateListBody = z.output<typeof updateListBody>;

export const listMembersBody = z
  .strictObject({
    contact_ids: z.array(z.string().uuid("contact_ids are contact ids (UUID)")).max(LIST_MEMBERS_MAX_PER_CALL, `At most ${LIST_MEMBERS_MAX_PER_CALL} per call`).optional(),
    external_ids: z.array(externalIdSchema).max(LIST_MEMBERS_MAX_PER_CALL, `At most ${LIST_MEMBERS_MAX_PER_CALL} per call`).optional(),
  })
  .refine((v) => (v.contact_ids?.length ?? 0) + (v.external_ids?.length ?? 0) > 0, { message: "Give contact_ids and/or external_ids", path: ["contact_ids"] });
export type ListMembersBody = z.output<typeof listMembersBody>;

export const listMembersQuery = z.object({
  format: z.enum(["json", "csv"]).default("json"),
  cursor: z.string().uuid("cursor is a next_cursor value").optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const listOut = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  kind: z.enum(["static", "segment"]),
  segment: z.unknown().nullable(),
  /** Members now (a segment is counted when read). */
  count: z.number(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type ListOut = z.infer<typeof listOut>;

export const membersChangeOut = z.object({
  added: z.number().optional(),
  removed: z.number().optional(),
  not_found: z.object({ contact_ids: z.array(z.string()), external_ids: z.array(z.string()) }),
});

export const segmentPreviewOut = z.object({ count: z.number(), sample: z.array(contactOut) });
export type SegmentPreviewOut = z.infer<typeof segmentPreviewOut>;

export type { SegmentNode };
