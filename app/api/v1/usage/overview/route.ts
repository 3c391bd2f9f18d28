import { readQuery } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { getOverview } from "@/lib/usage/usage";
import { overviewQuery } from "@/lib/validations/usage";

/** The Overview page's cards and series for 24h / 7d / 30d. */
export const GET = withApiAuth(async ({ req, ctx }) => {
  const { range } = readQuery(req, overviewQuery);
  return Response.json(await getOverview(ctx, range));
}, { scope: "usage:read" });
