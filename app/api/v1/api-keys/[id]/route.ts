import { ApiError } from "@/lib/api/errors";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { apiKeyJson } from "@/lib/auth/api-key-json";
import { getApiKey, revokeApiKey } from "@/lib/auth/api-keys";
import { isUuid } from "@/lib/validations/common";

type P = { id: string };

export const GET = withApiAuth<P>(
  async ({ params, ctx }) => {
    if (!isUuid(params.id)) throw ApiError.notFound("API key");
    return Response.json(apiKeyJson(await getApiKey(ctx, params.id)));
  },
  { sessionOnly: true, minRole: "admin" },
);

/** Revokes the key at once: its next request answers 401. */
export const DELETE = withApiAuth<P>(
  async ({ params, ctx }) => {
    if (!isUuid(params.id)) throw ApiError.notFound("API key");
    await revokeApiKey(ctx, params.id);
    return new Response(null, { status: 204 });
  },
  { sessionOnly: true, minRole: "admin" },
);
