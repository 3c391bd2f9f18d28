import { withApiAuth } from "@/lib/api/with-api-auth";
import { readJson } from "@/lib/api/read-json";
import { retryDeadLetteredPublishes } from "@/lib/telephony/calls";
import { retryPublishBody } from "@/lib/validations/telephony";

/** Re-queues dead-lettered RabbitMQ publishes (given ids, or all of the tenant's). */
export const POST = withApiAuth(async ({ req, ctx }) => {
  const body = await readJson(req, retryPublishBody);
  return Response.json(await retryDeadLetteredPublishes(ctx, body), { status: 202 });
}, { scope: "calls:write" });
