import { ApiError } from "@/lib/api/errors";
import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { addReminder, listReminders } from "@/lib/reminders/events";
import { isUuid } from "@/lib/validations/common";
import { addReminderBody } from "@/lib/validations/reminders";

export const GET = withApiAuth<{ id: string }>(async ({ params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Event");
  return Response.json(await listReminders(ctx, params.id));
}, { scope: "reminders:read" });

/** Adds a reminder rule, or a copy of a preset (`{"preset_id"}`), and plans it. */
export const POST = withApiAuth<{ id: string }>(async ({ req, params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Event");
  const reminder = await addReminder(ctx, params.id, await readJson(req, addReminderBody, 64 * 1024));
  return Response.json(reminder, { status: 201 });
}, { scope: "reminders:write" });
