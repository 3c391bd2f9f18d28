import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { createPreset, listPresets } from "@/lib/reminders/presets";
import { createPresetBody } from "@/lib/validations/reminders";

export const GET = withApiAuth(async ({ ctx }) => {
  return Response.json(await listPresets(ctx));
}, { scope: "reminders:read" });

export const POST = withApiAuth(async ({ req, ctx }) => {
  const preset = await createPreset(ctx, await readJson(req, createPresetBody, 64 * 1024));
  return Response.json(preset, { status: 201, headers: { Location: `/api/v1/reminder-presets/${preset.id}` } });
}, { scope: "reminders:write" });
