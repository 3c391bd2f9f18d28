import { ApiError } from "@/lib/api/errors";
import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { deleteBinding, getBinding, updateBinding } from "@/lib/bus/bindings";
import { isUuid } from "@/lib/validations/common";
import { patchBusBindingBody } from "@/lib/validations/bus";

type P = { id: string };

export const GET = withApiAuth<P>(async ({ params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Bus binding");
  return Response.json(await getBinding(ctx, params.id));
}, { scope: "configs:read" });

export const PATCH = withApiAuth<P>(async ({ req, params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Bus binding");
  return Response.json(await updateBinding(ctx, params.id, await readJson(req, patchBusBindingBody)));
}, { scope: "configs:write" });

export const DELETE = withApiAuth<P>(async ({ params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Bus binding");
  await deleteBinding(ctx, params.id);
  return new Response(null, { status: 204 });
}, { scope: "configs:write" });
