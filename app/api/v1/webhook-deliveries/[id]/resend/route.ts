import { ApiError } from "@/lib/api/errors";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { resendDelivery } from "@/lib/outbound-webhooks/endpoints";
import { isUuid } from "@/lib/validations/common";

/** Sends the delivery again at once, with the same webhook-id, and restarts its retry schedule. */
export const POST = withApiAuth<{ id: string }>(async ({ params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Webhook delivery");
  return Response.json(await resendDelivery(ctx, params.id), { status: 202 });
}, { scope: "webhooks:write" });
