import { ApiError } from "@/lib/api/errors";
import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { changeUnisenderLists } from "@/lib/integrations/kommo/integrations";
import { uuidParam } from "@/lib/validations/common";
import { unisenderListsBody } from "@/lib/validations/kommo";

/** `{emails: [...]}` adds them to the integration's lists; with `delete: 1` removes them (exclude or delete per setting). */
export const POST = withApiAuth<{ id: string }>(async ({ req, ctx, params }) => {
  if (!uuidParam.safeParse(params.id).success) throw ApiError.notFound("Kommo integration");
  return Response.json(await changeUnisenderLists(ctx, params.id, await readJson(req, unisenderListsBody)));
}, { scope: "integrations:write" });
