import { ApiError } from "@/lib/api/errors";
import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { deletePreset, getPreset, updatePreset } from "@/lib/reminders/presets";
import { isUuid } from "@/lib/validations/common";
import { updatePresetBody } from "@/lib/validations/reminders";

export const GET = withApiAuth<{ id: string }>(async ({ params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Preset");
  return Response.json(await getPreset(ctx, params.id));
}, { scope: "reminders:read" });

/** Changes the preset; events it was applied to keep their copy. */
export const PATCH = withApiAuth<{ id: string }>(async ({ req, params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Preset");
  return Response.json(await updatePreset(ctx, params.id, await readJson(req, updatePresetBody, 64 * 1024)));
}, { scope: "reminders:write" });

export const DELETE = withApiAuth<{ id: string }>(async ({ params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Preset");
  await deletePreset(ctx, params.id);
  return new Response(null, { status: 204 });
}, { scope: "reminders:write" });
