import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { deleteTemplate, getTemplate, patchTemplate } from "@/lib/templates/templates";
import { patchTemplateBody } from "@/lib/validations/templates";

type P = { key: string };

export const GET = withApiAuth<P>(async ({ params, ctx }) => Response.json(await getTemplate(ctx, params.key)), { scope: "templates:read" });

/** Edits the draft (and name, description, category); sends keep rendering the published version. */
export const PATCH = withApiAuth<P>(async ({ req, params, ctx }) => {
  return Response.json(await patchTemplate(ctx, params.key, await readJson(req, patchTemplateBody)));
}, { scope: "templates:write" });

export const DELETE = withApiAuth<P>(async ({ params, ctx }) => {
  await deleteTemplate(ctx, params.key);
  return new Response(null, { status: 204 });
}, { scope: "templates:write" });
