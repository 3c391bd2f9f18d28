import { ApiError } from "@/lib/api/errors";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { enableEndpoint } from "@/lib/outbound-webhooks/endpoints";
import { isUuid } from "@/lib/validations/common";

/** Re-enables a disabled endpoint (by a user, a 410 Gone or days of failures) and clears its failure clock. */
export const POST = withApiAuth<{ id: string }>(async ({ params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Webhook endpoint");
  return Response.json(await enableEndpoint(ctx, params.id));
}, { scope: "webhooks:write" });
