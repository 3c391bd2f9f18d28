import { ApiError } from "@/lib/api/errors";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { cancelMessage } from "@/lib/messaging/cancel-message";
import { isUuid } from "@/lib/validations/common";

/** Cancels a scheduled send before its send_at → `cancelled` (409 once it is on its way). */
export const POST = withApiAuth<{ id: string }>(async ({ params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Message");
  return Response.json(await cancelMessage(ctx, params.id));
}, { scope: "messages:send" });
