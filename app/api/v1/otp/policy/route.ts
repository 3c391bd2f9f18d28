import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { otpPolicyFor, policyJson, setOtpPolicy } from "@/lib/otp/policy";
import { otpPolicyBody } from "@/lib/validations/otp";

export const GET = withApiAuth(async ({ ctx }) => Response.json(policyJson(await otpPolicyFor(ctx.tenantId))), { scope: "configs:read" });

/** Replaces the tenant's overrides (a null or missing field = the default). */
export const PUT = withApiAuth(async ({ req, ctx }) => {
  const body = await readJson(req, otpPolicyBody);
  return Response.json(policyJson(await setOtpPolicy(ctx, body)));
}, { scope: "configs:write" });
