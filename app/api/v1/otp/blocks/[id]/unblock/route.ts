import { ApiError } from "@/lib/api/errors";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { unblockOtpDestination } from "@/lib/otp/blocks";
import { isUuid } from "@/lib/validations/common";

/** Lifts a pumping block (admins; audited). */
export const POST = withApiAuth<{ id: string }>(async ({ params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Block");
  return Response.json(await unblockOtpDestination(ctx, params.id));
}, { scope: "configs:write" });
