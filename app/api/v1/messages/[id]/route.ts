import { ApiError } from "@/lib/api/errors";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { getMessage } from "@/lib/messaging/messages";
import { isUuid } from "@/lib/validations/common";

export const GET = withApiAuth<{ id: string }>(async ({ params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Message");
  return Response.json(await getMessage(ctx, params.id));
}, { scope: "messages:read" });
