import { ApiError } from "@/lib/api/errors";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { startKommoSync } from "@/lib/integrations/kommo/integrations";
import { readQuery } from "@/lib/api/read-json";
import { uuidParam } from "@/lib/validations/common";
import { kommoSyncQuery } from "@/lib/validations/kommo";

/** Starts a sync, `?mode=incremental` for contacts updated since the last completed one (202: it runs in the job engine). */
export const POST = withApiAuth<{ id: string }>(async ({ req, ctx, params }) => {
  if (!uuidParam.safeParse(params.id).success) throw ApiError.notFound("Kommo integration");
  const { mode } = readQuery(req, kommoSyncQuery);
  return Response.json(await startKommoSync(ctx, params.id, { incremental: mode === "incremental" }), { status: 202 });
}, { scope: "integrations:write" });
