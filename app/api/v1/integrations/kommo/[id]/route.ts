import { withApiAuth } from "@/lib/api/with-api-auth";
import { getKommo } from "@/lib/integrations/kommo/integrations";
import { uuidParam } from "@/lib/validations/common";
import { ApiError } from "@/lib/api/errors";

export const GET = withApiAuth<{ id: string }>(async ({ ctx, params }) => {
  if (!uuidParam.safeParse(params.id).success) throw ApiError.notFound("Kommo integration");
  return Response.json(await getKommo(ctx, params.id), { headers: { "Cache-Control": "no-store" } });
}, { scope: "integrations:read" });
