import { z } from "zod";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { ApiError } from "@/lib/api/errors";
import { readJson } from "@/lib/api/read-json";
import { decommissionConfig } from "@/lib/providers/config-lifecycle";
import { getConfig, updateConfig } from "@/lib/providers/configs";
import { isUuid } from "@/lib/validations/common";
import { isProviderKind } from "@/lib/validations/provider-configs";

type Params = { provider: string; id: string };

function target(params: Params) {
  if (!isProviderKind(params.provider) || !isUuid(params.id)) throw ApiError.notFound("Provider config");
  return { provider: params.provider, id: params.id };
}

export const GET = withApiAuth<Params>(async ({ params, ctx }) => {
  const { provider, id } = target(params);
  return Response.json(await getConfig(ctx, id, { provider }));
}, { scope: "configs:read" });

/** Partial update; credential fields given here are rotated in place (the ref stays). */
export const PATCH = withApiAuth<Params>(async ({ req, params, ctx }) => {
  const { provider, id } = target(params);
  const body = await readJson(req, z.record(z.string(), z.unknown()));
  return Response.json(await updateConfig(ctx, id, body, { provider }));
}, { scope: "configs:write" });

/** Decommissions (terminal); the config and its history stay readable. */
export const DELETE = withApiAuth<Params>(async ({ params, ctx }) => {
  const { provider, id } = target(params);
  return Response.json(await decommissionConfig(ctx, id, { provider }));
}, { scope: "configs:write" });
