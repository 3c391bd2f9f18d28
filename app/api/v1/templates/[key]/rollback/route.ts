import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { rollbackTemplate } from "@/lib/templates/templates";
import { rollbackTemplateBody } from "@/lib/validations/templates";

/** Publishes an earlier version again (and loads it into the draft). */
export const POST = withApiAuth<{ key: string }>(async ({ req, params, ctx }) => {
  const { version } = await readJson(req, rollbackTemplateBody);
  return Response.json(await rollbackTemplate(ctx, params.key, version));
}, { scope: "templates:write" });
