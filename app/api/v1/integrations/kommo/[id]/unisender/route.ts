import { ApiError } from "@/lib/api/errors";
import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { setKommoUnisender } from "@/lib/integrations/kommo/integrations";
import { uuidParam } from "@/lib/validations/common";
import { setUnisenderBody } from "@/lib/validations/kommo";

/** Sets the Unisender API key (write-only) and target lists: from the page, or from a Kommo widget with an API key. */
export const PUT = withApiAuth<{ id: string }>(async ({ req, ctx, params }) => {
  if (!uuidParam.safeParse(params.id).success) throw ApiError.notFound("Kommo integration");
  return Response.json(await setKommoUnisender(ctx, params.id, await readJson(req, setUnisenderBody)), { headers: { "Cache-Control": "no-store" } });
}, { scope: "integrations:write" });
