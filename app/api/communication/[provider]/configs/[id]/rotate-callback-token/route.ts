import { withApiAuth } from "@/lib/api/with-api-auth";
import { ApiError } from "@/lib/api/errors";
import { rotateCallbackToken } from "@/lib/providers/config-callback-token";
import { isUuid } from "@/lib/validations/common";
import { isProviderKind } from "@/lib/validations/provider-configs";

/** Replaces the delivery-report callback token (46elks, Infobip); answers the config with the new URL. */
export const POST = withApiAuth<{ provider: string; id: string }>(async ({ params, ctx }) => {
  if (!isProviderKind(params.provider) || !isUuid(params.id)) throw ApiError.notFound("Provider config");
  return Response.json(await rotateCallbackToken(ctx, params.id, { provider: params.provider }));
}, { scope: "configs:write" });
