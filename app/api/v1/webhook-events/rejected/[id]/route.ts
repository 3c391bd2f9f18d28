import { withApiAuth } from "@/lib/api/with-api-auth";
import { getRejectedRequest } from "@/lib/webhooks/rejected-requests";

/** One refused webhook request with its redacted headers and payload excerpt. */
export const GET = withApiAuth<{ id: string }>(async ({ params, ctx }) => Response.json(await getRejectedRequest(ctx, params.id)), {
  scope: "webhooks:read",
});
