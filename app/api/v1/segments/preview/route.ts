import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { previewSegment } from "@/lib/lists/lists";
import { segmentPreviewBody } from "@/lib/validations/segments";

/** `{segment}` → how many contacts it matches now and the newest ten. */
export const POST = withApiAuth(async ({ req, ctx }) => {
  const { segment } = await readJson(req, segmentPreviewBody, 256 * 1024);
  return Response.json(await previewSegment(ctx, segment));
}, { scope: "contacts:read" });
