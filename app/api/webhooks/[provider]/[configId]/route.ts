import { ApiError } from "@/lib/api/errors";
import { withRoute } from "@/lib/api/with-api-auth";
import { answerWebhookChallenge, hasWebhookChallenge, receiveWebhook, webhookReply } from "@/lib/webhooks/receive";
import { WebhookRejected } from "@/lib/webhooks/types";

const codes = { 400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 413: "payload_too_large", 415: "unsupported_media_type", 422: "validation_failed" } as const;

function rejected(err: unknown): never {
  if (err instanceof WebhookRejected) throw new ApiError({ code: codes[err.status], message: err.message, status: err.status, details: err.details });
  throw err;
}

export const dynamic = "force-dynamic";

/** Provider delivery/engagement/inbound webhooks: verify the raw body, record each event once, 2xx. */
export const POST = withRoute<{ provider: string; configId: string }>(async ({ req, params }) => {
  const receipt = await receiveWebhook({ provider: params.provider, configId: params.configId, req }).catch(rejected);
  return webhookReply(params.provider, receipt);
});

/** Subscription checks of providers that make them (their webhook module's `challenge`). */
export const GET = withRoute<{ provider: string; configId: string }>(async ({ req, params }) => {
  if (!hasWebhookChallenge(params.provider)) throw new ApiError({ code: "method_not_allowed", message: "Use POST", headers: { Allow: "POST" } });
  const challenge = await answerWebhookChallenge({ provider: params.provider, configId: params.configId, req }).catch(rejected);
  return new Response(challenge, { status: 200, headers: { "content-type": "text/plain" } });
});
