import { ApiError } from "@/lib/api/errors";
import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { verifyOtp } from "@/lib/otp/verify-otp";
import { isUuid } from "@/lib/validations/common";
import { verifyOtpBody } from "@/lib/validations/otp";

/** `{verified: true}` once; otherwise why not and how many checks are left. */
export const POST = withApiAuth<{ id: string }>(async ({ req, params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("OTP");
  const body = await readJson(req, verifyOtpBody);
  return Response.json(await verifyOtp(ctx, params.id, body.code));
}, { scope: "otp:verify" });
