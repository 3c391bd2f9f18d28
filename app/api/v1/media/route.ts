import { queryParams, readQuery } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { listMedia } from "@/lib/media/media";
import { uploadFromRequest } from "@/lib/media/multipart-upload";
import { listMediaQuery } from "@/lib/validations/media";

export const GET = withApiAuth(async ({ req, ctx }) => {
  return Response.json(await listMedia(ctx, readQuery(req, listMediaQuery)));
}, { scope: "media:read" });

/** multipart/form-data with one `file` part, streamed to storage; `use` and `retention_days` in the query or as fields before the file. */
export const POST = withApiAuth(async ({ req, ctx }) => {
  const media = await uploadFromRequest(ctx, req, queryParams(req));
  return Response.json(media, { status: 201, headers: { Location: `/api/v1/media/${media.id}` } });
}, { scope: "media:write" });
