import { ApiError } from "@/lib/api/errors";
import { readJson } from "@/lib/api/read-json";
import { traceIdFrom } from "@/lib/api/send-route";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { sendMessageBatch } from "@/lib/messaging/send-message";
import { BATCH_BODY_LIMIT, batchSendBody } from "@/lib/validations/messages";

/** Up to 1,000 unified sends (body ≤ 16 MiB); each item answered on its own. */
export const POST = withApiAuth(async ({ req, ctx }) => {
  if (req.headers.has("idempotency-key")) {
    throw new ApiError({
      code: "bad_request",
      message: "A batch has no key of its own: put idempotency_key on each message",
      details: [{ path: "header:Idempotency-Key", message: "Use per-message idempotency_key" }],
    });
  }
  const body = await readJson(req, batchSendBody, BATCH_BODY_LIMIT);
  const { retryAfterSeconds, ...result } = await sendMessageBatch(ctx, body.messages, { traceId: traceIdFrom(req) });
  // Items past the tenant's send quota came back 429: say when to resend them.
  return Response.json(result, retryAfterSeconds ? { headers: { "Retry-After": String(retryAfterSeconds) } } : undefined);
}, { scope: "messages:send" });
