import { withApiAuth } from "@/lib/api/with-api-auth";
import { ApiError } from "@/lib/api/errors";
import { readJson } from "@/lib/api/read-json";
import { removeNumber, updateNumber } from "@/lib/telephony/numbers";
import { isUuid } from "@/lib/validations/common";
import { updateNumberBody } from "@/lib/validations/telephony";

/** Assign to a school (`school_id`), release (`school_id: null`) or relabel. */
export const PATCH = withApiAuth<{ id: string }>(async ({ req, params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Number");
  const body = await readJson(req, updateNumberBody);
  return Response.json(await updateNumber(ctx, params.id, body));
}, { scope: "calls:write" });

export const DELETE = withApiAuth<{ id: string }>(async ({ params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Number");
  await removeNumber(ctx, params.id);
  return new Response(null, { status: 204 });
}, { scope: "calls:write" });
