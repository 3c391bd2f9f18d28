import { withApiAuth } from "@/lib/api/with-api-auth";
import { ApiError } from "@/lib/api/errors";
import { getCallDetail } from "@/lib/telephony/calls";
import { isUuid } from "@/lib/validations/common";

/** One call with its event timeline and operator commands. */
export const GET = withApiAuth<{ id: string }>(async ({ params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Call");
  return Response.json(await getCallDetail(ctx, params.id));
}, { scope: "calls:read" });
