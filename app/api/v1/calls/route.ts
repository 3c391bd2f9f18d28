import { withApiAuth } from "@/lib/api/with-api-auth";
import { readQuery } from "@/lib/api/read-json";
import { listCallLog } from "@/lib/telephony/calls";
import { listCallsQuery } from "@/lib/validations/telephony";

export const GET = withApiAuth(async ({ req, ctx }) => {
  return Response.json(await listCallLog(ctx, readQuery(req, listCallsQuery)));
}, { scope: "calls:read" });
