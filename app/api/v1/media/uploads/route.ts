import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { createPresignedUpload } from "@/lib/media/media";
import { presignedUploadBody } from "@/lib/validations/media";

/** A presigned upload: the media (pending) and the URL to PUT the bytes to; then `POST …/uploads/{id}/complete`. */
export const POST = withApiAuth(async ({ req, ctx }) => {
  const out = await createPresignedUpload(ctx, await readJson(req, presignedUploadBody, 16 * 1024));
  return Response.json(out, { status: 201, headers: { Location: `/api/v1/media/${out.media.id}` } });
}, { scope: "media:write" });
