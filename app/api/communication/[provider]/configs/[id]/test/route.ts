import { withApiAuth } from "@/lib/api/with-api-auth";
import { ApiError } from "@/lib/api/errors";
import { testConfig } from "@/lib/providers/config-test";
import { isUuid } from "@/lib/validations/common";
import { isProviderKind } from "@/lib/validations/provider-configs";

/** Authenticates against the provider; answers 200 with `ok`/`outcome`/`message` and the updated config. */
export const POST = withApiAuth<{ provider: string; id: string }>(async ({ params, ctx }) => {
  if (!isProviderKind(params.provider) || !isUuid(params.id)) throw ApiError.notFound("Provider config");
  return Response.json(await testConfig(ctx, params.id, { provider: params.provider }));
}, { scope: "configs:write" });
