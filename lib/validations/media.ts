// Media: upload options, the presigned upload body, list and download queries, and the output shape.
import { z } from "zod";
import { mediaSources, mediaStatuses } from "@/db/schema/enum-values";
import { mediaUseIds } from "@/lib/media/uses";
import { limitQuery, safeText } from "./common";

export { mediaUseIds };

const useSchema = z.enum(mediaUseIds, `use is one of ${mediaUseIds.join(", ")}`);
const retentionDays = z.coerce.number().int("Whole days").min(1, "At least 1 day").max(3650, "At most 3650 days (10 years)");
export const filenameSchema = safeText()
  .trim()
  .min(1, "The file name is empty")
  .max(255, "A file name is at most 255 characters")
  .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), "A file name has no control characters");
const contentTypeSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(255)
  .regex(/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/, "A content type like image/png");

/** `POST /api/v1/media` options (query string or form fields before the file). */
export const uploadOptions = z.object({
  use: useSchema.optional(),
  retention_days: retentionDays.optional(),
});
export type UploadOptions = z.output<typeof uploadOptions>;

/** `POST /api/v1/media/uploads`: what the client will PUT. */
export const presignedUploadBody = z.strictObject({
  filename: filenameSchema,
  content_type: contentTypeSchema.optional(),
  /** Declared size: checked against the use's limit now, and against the object on completion. */
  size: z.number().int().min(1, "The file is empty").optional(),
  use: useSchema.optional(),
  retention_days: retentionDays.optional(),
});
export type PresignedUploadBody = z.output<typeof presignedUploadBody>;

export const listMediaQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: limitQuery,
  status: z.enum(mediaStatuses).optional(),
  source: z.enum(mediaSources).optional(),
  /** File name substring. */
  q: z.string().trim().min(1).max(200).optional(),
});
export type ListMediaQuery = z.output<typeof listMediaQuery>;

export const downloadQuery = z.object({
  /** `url`: answer `{url, expires_at}` instead of the bytes (or the redirect to them). */
  as: z.enum(["url", "file"]).default("file"),
  disposition: z.enum(["inline", "attachment"]).default("attachment"),
});

const iso = z.string();
export const mediaOut = z.object({
  id: z.string(),
  status: z.enum(mediaStatuses),
  source: z.enum(mediaSources),
  filename: z.string().nullable(),
  content_type: z.string().nullable(),
  size: z.number().nullable(),
  sha256: z.string().nullable(),
  use: z.string().nullable(),
  backend: z.string(),
  created_by: z.object({ type: z.string(), id: z.string().nullable(), label: z.string() }),
  message_id: z.string().nullable(),
  error: z.string().nullable(),
  retention_days: z.number(),
  expires_at: iso,
  created_at: iso,
  completed_at: iso.nullable(),
});
export type MediaOut = z.infer<typeof mediaOut>;

export const mediaListOut = z.object({ data: z.array(mediaOut), next_cursor: z.string().nullable() });
export type MediaListOut = z.infer<typeof mediaListOut>;

export const presignedUploadOut = z.object({
  media: mediaOut,
  upload: z.object({ method: z.literal("PUT"), url: z.string(), headers: z.record(z.string(), z.string()), expires_at: iso, max_bytes: z.number() }),
});
export type PresignedUploadOut = z.infer<typeof presignedUploadOut>;

export const downloadUrlOut = z.object({ url: z.string(), expires_at: iso });
