import { withApiAuth } from "@/lib/api/with-api-auth";
import { getWebhookEvent } from "@/lib/webhooks/list";

/** One received provider event with its payload. */
export const GET = withApiAuth<{ id: string }>(async ({ params, ctx }) => Response.json(await getWebhookEvent(ctx, params.id)), { scope: "webhooks:read" });
