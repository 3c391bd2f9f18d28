import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { createList, listLists } from "@/lib/lists/lists";
import { createListBody } from "@/lib/validations/lists";

export const GET = withApiAuth(async ({ ctx }) => {
  return Response.json(await listLists(ctx));
}, { scope: "contacts:read" });

export const POST = withApiAuth(async ({ req, ctx }) => {
  const list = await createList(ctx, await readJson(req, createListBody, 256 * 1024));
  return Response.json(list, { status: 201, headers: { Location: `/api/v1/lists/${list.id}` } });
}, { scope: "contacts:write" });
