import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { previewRoute } from "@/lib/messaging/routing-rules";
import { routePreviewBody } from "@/lib/validations/routing-rules";

/** Which failover chain a recipient would get now; changes nothing. */
export const POST = withApiAuth(async ({ req, ctx }) => {
  return Response.json(await previewRoute(ctx, await readJson(req, routePreviewBody)));
}, { scope: "configs:read" });
