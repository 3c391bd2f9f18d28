import { withApiAuth } from "@/lib/api/with-api-auth";
import { ApiError } from "@/lib/api/errors";
import { readJson } from "@/lib/api/read-json";
import { transitionConfig } from "@/lib/providers/config-lifecycle";
import { isUuid } from "@/lib/validations/common";
import { isProviderKind, transitionBody } from "@/lib/validations/provider-configs";

/** `{ "to": "active" | "paused" | "decommissioned" }`; an illegal move answers 409 with `details.allowed`. */
export const POST = withApiAuth<{ provider: string; id: string }>(async ({ req, params, ctx }) => {
  if (!isProviderKind(params.provider) || !isUuid(params.id)) throw ApiError.notFound("Provider config");
  const { to } = await readJson(req, transitionBody);
  return Response.json(await transitionConfig(ctx, params.id, to, { provider: params.provider }));
}, { scope: "configs:write" });
