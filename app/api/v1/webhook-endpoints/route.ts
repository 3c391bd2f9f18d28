import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { createEndpoint, listEndpoints } from "@/lib/outbound-webhooks/endpoints";
import { createWebhookEndpointBody } from "@/lib/validations/outbound-webhooks";

export const GET = withApiAuth(async ({ ctx }) => Response.json({ data: await listEndpoints(ctx) }), { scope: "webhooks:read" });

/** The answer's `secret` (whsec_…) is shown this once; Herald stores it encrypted and never returns it again. */
export const POST = withApiAuth(async ({ req, ctx }) => {
  const created = await createEndpoint(ctx, await readJson(req, createWebhookEndpointBody));
  return Response.json(created, { status: 201, headers: { Location: `/api/v1/webhook-endpoints/${created.id}`, "Cache-Control": "no-store" } });
}, { scope: "webhooks:write" });
