import { ApiError } from "@/lib/api/errors";
import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { deleteEndpoint, getEndpoint, updateEndpoint } from "@/lib/outbound-webhooks/endpoints";
import { isUuid } from "@/lib/validations/common";
import { patchWebhookEndpointBody } from "@/lib/validations/outbound-webhooks";

type P = { id: string };

export const GET = withApiAuth<P>(async ({ params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Webhook endpoint");
  return Response.json(await getEndpoint(ctx, params.id));
}, { scope: "webhooks:read" });

export const PATCH = withApiAuth<P>(async ({ req, params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Webhook endpoint");
  return Response.json(await updateEndpoint(ctx, params.id, await readJson(req, patchWebhookEndpointBody)));
}, { scope: "webhooks:write" });

export const DELETE = withApiAuth<P>(async ({ params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Webhook endpoint");
  await deleteEndpoint(ctx, params.id);
  return new Response(null, { status: 204 });
}, { scope: "webhooks:write" });
