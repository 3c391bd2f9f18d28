import { ApiError } from "@/lib/api/errors";
import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { deleteRoutingRuleById, getRoutingRule, updateRoutingRuleById } from "@/lib/messaging/routing-rules";
import { isUuid } from "@/lib/validations/common";
import { patchRoutingRuleBody } from "@/lib/validations/routing-rules";

export const GET = withApiAuth<{ id: string }>(async ({ params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Routing rule");
  return Response.json(await getRoutingRule(ctx, params.id));
}, { scope: "configs:read" });

export const PATCH = withApiAuth<{ id: string }>(async ({ req, params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Routing rule");
  return Response.json(await updateRoutingRuleById(ctx, params.id, await readJson(req, patchRoutingRuleBody)));
}, { scope: "configs:write" });

export const DELETE = withApiAuth<{ id: string }>(async ({ params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Routing rule");
  await deleteRoutingRuleById(ctx, params.id);
  return new Response(null, { status: 204 });
}, { scope: "configs:write" });
