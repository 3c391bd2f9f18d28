import { readJson, readQuery } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { createSchool, listSchools } from "@/lib/schools/schools";
import { createSchoolBody, listSchoolsQuery } from "@/lib/validations/schools";

export const GET = withApiAuth(async ({ req, ctx }) => {
  return Response.json(await listSchools(ctx, readQuery(req, listSchoolsQuery)));
}, { scope: "schools:read" });

export const POST = withApiAuth(async ({ req, ctx }) => {
  const body = await readJson(req, createSchoolBody, 64 * 1024);
  return Response.json(await createSchool(ctx, body), { status: 201 });
}, { scope: "schools:write" });
