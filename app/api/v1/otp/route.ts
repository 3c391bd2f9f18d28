import { readJson } from "@/lib/api/read-json";
import { idempotencyKeyOf } from "@/lib/api/send-route";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { requesterOf } from "@/lib/otp/requester";
import { createOtp } from "@/lib/otp/send-otp";
import { createOtpBody } from "@/lib/validations/otp";

/** Issue a one-time passcode: 201 new, 200 idempotent replay. The code itself is never in the answer. */
export const POST = withApiAuth(async ({ req, ctx }) => {
  const body = await readJson(req, createOtpBody);
  const input = { ...body, idempotency_key: idempotencyKeyOf(req, body.idempotency_key) };
  const outcome = await createOtp(ctx, input, requesterOf(req, ctx));
  return Response.json(outcome.body, {
    status: outcome.status,
    headers: { Location: `/api/v1/otp/${outcome.body.otp_id}`, ...(outcome.replayed ? { "Idempotency-Replayed": "true" } : {}) },
  });
}, { scope: "otp:send" });
