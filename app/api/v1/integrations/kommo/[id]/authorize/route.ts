import { ApiError } from "@/lib/api/errors";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { kommoAuthorizeUrl } from "@/lib/integrations/kommo/integrations";
import { uuidParam } from "@/lib/validations/common";

/** Redirects to Kommo's consent page with a signed, single-use state. */
export const GET = withApiAuth<{ id: string }>(async ({ ctx, params }) => {
  if (!uuidParam.safeParse(params.id).success) throw ApiError.notFound("Kommo integration");
  const url = await kommoAuthorizeUrl(ctx, params.id);
  return new Response(null, { status: 302, headers: { Location: url, "Cache-Control": "no-store" } });
}, { scope: "integrations:write" });
