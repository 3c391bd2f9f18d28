import { readQuery } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { listWebhookEvents } from "@/lib/webhooks/list";
import { listWebhookEventsQuery } from "@/lib/validations/webhook-events";

/** Provider webhook events received for the tenant, with verification, match and processing status. */
export const GET = withApiAuth(async ({ req, ctx }) => {
  return Response.json(await listWebhookEvents(ctx, readQuery(req, listWebhookEventsQuery)));
}, { scope: "webhooks:read" });
