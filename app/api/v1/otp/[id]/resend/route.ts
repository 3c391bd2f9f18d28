import { ApiError } from "@/lib/api/errors";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { requesterOf } from "@/lib/otp/requester";
import { resendOtp } from "@/lib/otp/send-otp";
import { isUuid } from "@/lib/validations/common";

/** A new code for the same OTP; the previous code stops working. */
export const POST = withApiAuth<{ id: string }>(async ({ req, params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("OTP");
  const outcome = await resendOtp(ctx, params.id, requesterOf(req, ctx));
  return Response.json(outcome.body, { status: outcome.status });
}, { scope: "otp:send" });
