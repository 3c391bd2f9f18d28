import { withApiAuth } from "@/lib/api/with-api-auth";
import { sendSlackTestAlert } from "@/lib/alerts/tenant-slack";

/** Posts one test alert to the tenant's webhook now and answers with Slack's verdict. */
export const POST = withApiAuth(async ({ ctx }) => {
  return Response.json(await sendSlackTestAlert(ctx));
}, { scope: "configs:write" });
