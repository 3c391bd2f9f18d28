import { ApiError } from "@/lib/api/errors";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { completePresignedUpload } from "@/lib/media/media";
import { isUuid } from "@/lib/validations/common";

/** Reads the uploaded object back (size, type from its bytes, SHA-256) and makes the media ready. */
export const POST = withApiAuth<{ id: string }>(async ({ params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Media");
  return Response.json(await completePresignedUpload(ctx, params.id));
}, { scope: "media:write" });
