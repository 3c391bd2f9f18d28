import { ApiError } from "@/lib/api/errors";
import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { deleteSchool, getSchool, updateSchool } from "@/lib/schools/schools";
import { isUuid } from "@/lib/validations/common";
import { updateSchoolBody } from "@/lib/validations/schools";

export const GET = withApiAuth<{ id: string }>(async ({ params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("School");
  return Response.json(await getSchool(ctx, params.id));
}, { scope: "schools:read" });

export const PATCH = withApiAuth<{ id: string }>(async ({ req, params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("School");
  const body = await readJson(req, updateSchoolBody, 64 * 1024);
  return Response.json(await updateSchool(ctx, params.id, body));
}, { scope: "schools:write" });

export const DELETE = withApiAuth<{ id: string }>(async ({ params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("School");
  await deleteSchool(ctx, params.id);
  return new Response(null, { status: 204 });
}, { scope: "schools:write" });
