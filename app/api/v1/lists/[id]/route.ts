import { ApiError } from "@/lib/api/errors";
import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { deleteList, getList, updateList } from "@/lib/lists/lists";
import { isUuid } from "@/lib/validations/common";
import { updateListBody } from "@/lib/validations/lists";

export const GET = withApiAuth<{ id: string }>(async ({ params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("List");
  return Response.json(await getList(ctx, params.id));
}, { scope: "contacts:read" });

export const PATCH = withApiAuth<{ id: string }>(async ({ req, params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("List");
  return Response.json(await updateList(ctx, params.id, await readJson(req, updateListBody, 256 * 1024)));
}, { scope: "contacts:write" });

export const DELETE = withApiAuth<{ id: string }>(async ({ params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("List");
  await deleteList(ctx, params.id);
  return new Response(null, { status: 204 });
}, { scope: "contacts:write" });
