import { csvResponse } from "@/lib/api/csv-response";
import { ApiError } from "@/lib/api/errors";
import { readJson, readQuery } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { exportListCsv } from "@/lib/lists/export";
import { addMembers, listMembers, removeMembers } from "@/lib/lists/lists";
import { isUuid } from "@/lib/validations/common";
import { LIST_MEMBERS_BODY_LIMIT, listMembersBody, listMembersQuery } from "@/lib/validations/lists";

/** Members page (JSON, keyset cursor) or, with ?format=csv, the whole list as a streamed CSV. */
export const GET = withApiAuth<{ id: string }>(async ({ req, params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("List");
  const q = readQuery(req, listMembersQuery);
  if (q.format === "json") return Response.json(await listMembers(ctx, params.id, q));
  return csvResponse(await exportListCsv(ctx, params.id), `list-${params.id}.csv`);
}, { scope: "contacts:read" });

/** Adds up to 10,000 contact_ids and 10,000 external_ids per call. */
export const POST = withApiAuth<{ id: string }>(async ({ req, params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("List");
  return Response.json(await addMembers(ctx, params.id, await readJson(req, listMembersBody, LIST_MEMBERS_BODY_LIMIT)));
}, { scope: "contacts:write" });

export const DELETE = withApiAuth<{ id: string }>(async ({ req, params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("List");
  return Response.json(await removeMembers(ctx, params.id, await readJson(req, listMembersBody, LIST_MEMBERS_BODY_LIMIT)));
}, { scope: "contacts:write" });
