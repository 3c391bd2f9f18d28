import { readJson, readQuery } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { createRoutingRule, listRoutingRules } from "@/lib/messaging/routing-rules";
import { createRoutingRuleBody, listRoutingRulesQuery } from "@/lib/validations/routing-rules";

export const GET = withApiAuth(async ({ req, ctx }) => {
  const q = readQuery(req, listRoutingRulesQuery);
  return Response.json(await listRoutingRules(ctx, q));
}, { scope: "configs:read" });

export const POST = withApiAuth(async ({ req, ctx }) => {
  const rule = await createRoutingRule(ctx, await readJson(req, createRoutingRuleBody));
  return Response.json(rule, { status: 201, headers: { Location: `/api/v1/routes/${rule.id}` } });
}, { scope: "configs:write" });
