import { readJson, readQuery } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { createTemplate, listTemplates } from "@/lib/templates/templates";
import { createTemplateBody, listTemplatesQuery } from "@/lib/validations/templates";

export const GET = withApiAuth(async ({ req, ctx }) => {
  return Response.json({ data: await listTemplates(ctx, readQuery(req, listTemplatesQuery)) });
}, { scope: "templates:read" });

export const POST = withApiAuth(async ({ req, ctx }) => {
  const created = await createTemplate(ctx, await readJson(req, createTemplateBody));
  return Response.json(created, { status: 201, headers: { Location: `/api/v1/templates/${created.key}` } });
}, { scope: "templates:write" });
