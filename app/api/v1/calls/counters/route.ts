import { withApiAuth } from "@/lib/api/with-api-auth";
import { getCallCounters } from "@/lib/telephony/calls";

/** Live counters: active calls, today's outcomes (UTC day), the RabbitMQ publish backlog. */
export const GET = withApiAuth(async ({ ctx }) => {
  return Response.json(await getCallCounters(ctx));
}, { scope: "calls:read" });
