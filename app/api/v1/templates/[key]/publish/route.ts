import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { publishTemplate } from "@/lib/templates/templates";
import { publishTemplateBody } from "@/lib/validations/templates";

/** Freezes the draft as the next immutable version; sends render it from now on. An empty body is fine. */
export const POST = withApiAuth<{ key: string }>(async ({ req, params, ctx }) => {
  const body = req.headers.get("content-length") === "0" || !req.body ? {} : await readJson(req, publishTemplateBody);
  return Response.json(await publishTemplate(ctx, params.key, body), { status: 201 });
}, { scope: "templates:write" });
