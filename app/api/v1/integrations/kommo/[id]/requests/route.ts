import { ApiError } from "@/lib/api/errors";
import { readQuery } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { listKommoRequests } from "@/lib/integrations/kommo/integrations";
import { uuidParam } from "@/lib/validations/common";
import { kommoRequestLogQuery } from "@/lib/validations/kommo";

/** The per-request log (newest first; `before` pages back), filterable by service and outcome. */
export const GET = withApiAuth<{ id: string }>(async ({ req, ctx, params }) => {
  if (!uuidParam.safeParse(params.id).success) throw ApiError.notFound("Kommo integration");
  return Response.json(await listKommoRequests(ctx, params.id, readQuery(req, kommoRequestLogQuery)));
}, { scope: "integrations:read" });
