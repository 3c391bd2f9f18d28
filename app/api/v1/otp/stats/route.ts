import { readQuery } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { otpStats } from "@/lib/otp/stats";
import { otpStatsQuery } from "@/lib/validations/otp";

export const GET = withApiAuth(async ({ req, ctx }) => {
  const { range } = readQuery(req, otpStatsQuery);
  return Response.json(await otpStats(ctx, range));
}, { scope: "usage:read" });
