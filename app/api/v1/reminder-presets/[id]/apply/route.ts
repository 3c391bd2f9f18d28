import { ApiError } from "@/lib/api/errors";
import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { applyPreset } from "@/lib/reminders/presets";
import { isUuid } from "@/lib/validations/common";
import { applyPresetBody } from "@/lib/validations/reminders";

/** Applies the preset to up to 1,000 events at once (events that already carry it are listed, not changed). */
export const POST = withApiAuth<{ id: string }>(async ({ req, params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Preset");
  const body = await readJson(req, applyPresetBody, 256 * 1024);
  return Response.json(await applyPreset(ctx, params.id, body.event_ids));
}, { scope: "reminders:write" });
