import { ApiError } from "@/lib/api/errors";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { deleteMedia, getMedia } from "@/lib/media/media";
import { isUuid } from "@/lib/validations/common";

export const GET = withApiAuth<{ id: string }>(async ({ params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Media");
  return Response.json(await getMedia(ctx, params.id));
}, { scope: "media:read" });

export const DELETE = withApiAuth<{ id: string }>(async ({ params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Media");
  await deleteMedia(ctx, params.id);
  return new Response(null, { status: 204 });
}, { scope: "media:write" });
