import { readQuery } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { listWebhookRejectedRequestsQuery } from "@/lib/validations/webhook-events";
import { listRejectedRequests } from "@/lib/webhooks/rejected-requests";

/** Provider webhook requests Herald refused (bad signature, unknown config, unparsable…), newest first. */
export const GET = withApiAuth(async ({ req, ctx }) => {
  return Response.json(await listRejectedRequests(ctx, readQuery(req, listWebhookRejectedRequestsQuery)));
}, { scope: "webhooks:read" });
