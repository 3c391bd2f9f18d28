import { ApiError } from "@/lib/api/errors";
import { readQuery } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { listDeliveries } from "@/lib/outbound-webhooks/endpoints";
import { isUuid } from "@/lib/validations/common";
import { listDeliveriesQuery } from "@/lib/validations/outbound-webhooks";

/** Newest first, each with its attempts (response codes, body excerpts, latency); page with `before`. */
export const GET = withApiAuth<{ id: string }>(async ({ req, params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Webhook endpoint");
  return Response.json(await listDeliveries(ctx, params.id, readQuery(req, listDeliveriesQuery)));
}, { scope: "webhooks:read" });
