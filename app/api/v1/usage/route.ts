import { readQuery } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { getUsage } from "@/lib/usage/usage";
import { usageQuery } from "@/lib/validations/usage";

/** Usage per tenant (or one config) from the hourly rollups: counts, rates, series, quota burn. */
export const GET = withApiAuth(async ({ req, ctx }) => {
  return Response.json(await getUsage(ctx, readQuery(req, usageQuery)));
}, { scope: "usage:read" });
