import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { previewTemplate } from "@/lib/templates/preview";
import { previewTemplateBody } from "@/lib/validations/templates";

/** Renders without sending: 422 TEMPLATE_MISSING_VARIABLES lists every variable the data lacks. */
export const POST = withApiAuth<{ key: string }>(async ({ req, params, ctx }) => {
  return Response.json(await previewTemplate(ctx, params.key, await readJson(req, previewTemplateBody)));
}, { scope: "templates:read" });
