import { ApiError } from "@/lib/api/errors";
import { withRoute } from "@/lib/api/with-api-auth";
import { answerWhatsappChallenge, receiveWebhook } from "@/lib/webhooks/receive";
import { WebhookRejected } from "@/lib/webhooks/types";

const codes = { 400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 413: "payload_too_large", 415: "unsupported_media_type" } as const;

function rejected(err: unknown): never {
  if (err instanceof WebhookRejected) throw new ApiError({ code: codes[err.status], message: err.message, status: err.status });
  throw err;
}

export const dynamic = "force-dynamic";

/** Provider delivery/engagement/inbound webhooks: verify the raw body, record each event once, 2xx. */
export const POST = withRoute<{ provider: string; configId: string }>(async ({ req, params }) => {
  const receipt = await receiveWebhook({ provider: params.provider, configId: params.configId, req }).catch(rejected);
  // A 46elks reply body would be sent back as an SMS, and Twilio reads TwiML: answer them with no content.
  if (params.provider === "elks") return new Response(null, { status: 204 });
  if (params.provider === "twilio") {
    return new Response('<?xml version="1.0" encoding="UTF-8"?><Response></Response>', { status: 200, headers: { "content-type": "text/xml" } });
  }
  return Response.json(receipt);
});

/** WhatsApp's subscription check (hub.challenge). */
export const GET = withRoute<{ provider: string; configId: string }>(async ({ req, params }) => {
  if (params.provider !== "whatsapp") throw new ApiError({ code: "method_not_allowed", message: "Use POST" });
  const challenge = await answerWhatsappChallenge({ configId: params.configId, req }).catch(rejected);
  return new Response(challenge, { status: 200, headers: { "content-type": "text/plain" } });
});
