import { withApiAuth } from "@/lib/api/with-api-auth";
import { listVersions } from "@/lib/templates/templates";

export const GET = withApiAuth<{ key: string }>(async ({ params, ctx }) => {
  return Response.json({ data: await listVersions(ctx, params.key) });
}, { scope: "templates:read" });
