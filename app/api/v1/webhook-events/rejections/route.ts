import { withApiAuth } from "@/lib/api/with-api-auth";
import { listWebhookRejectionSummary } from "@/lib/webhooks/list";

/** Provider webhook requests refused as replays over the last 7 days, per config and reason. */
export const GET = withApiAuth(async ({ ctx }) => Response.json(await listWebhookRejectionSummary(ctx)), { scope: "webhooks:read" });
