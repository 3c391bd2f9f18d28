import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { getSlackAlertSettings, removeSlackWebhook, setSlackWebhook } from "@/lib/alerts/tenant-slack";
import { putSlackWebhookBody } from "@/lib/validations/alerts";

/** The tenant's Slack alert settings: the webhook's host and delivery status, never its URL. */
export const GET = withApiAuth(async ({ ctx }) => {
  return Response.json(await getSlackAlertSettings(ctx));
}, { scope: "configs:read" });

/** Sets or replaces the incoming-webhook URL (stored encrypted, write-only). */
export const PUT = withApiAuth(async ({ req, ctx }) => {
  const body = await readJson(req, putSlackWebhookBody);
  return Response.json(await setSlackWebhook(ctx, body));
}, { scope: "configs:write" });

export const DELETE = withApiAuth(async ({ ctx }) => {
  await removeSlackWebhook(ctx);
  return new Response(null, { status: 204 });
}, { scope: "configs:write" });
