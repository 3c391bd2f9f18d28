import { ApiError } from "@/lib/api/errors";
import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { cancelReminder, patchReminder } from "@/lib/reminders/events";
import { isUuid } from "@/lib/validations/common";
import { patchReminderBody } from "@/lib/validations/reminders";

type P = { id: string; reminderId: string };

/** Changes a reminder; what it has not sent is re-planned. */
export const PATCH = withApiAuth<P>(async ({ req, params, ctx }) => {
  if (!isUuid(params.id) || !isUuid(params.reminderId)) throw ApiError.notFound("Reminder");
  return Response.json(await patchReminder(ctx, params.id, params.reminderId, await readJson(req, patchReminderBody, 64 * 1024)));
}, { scope: "reminders:write" });

/** Cancels a reminder (it stays listed as cancelled): what it has not sent is withdrawn. */
export const DELETE = withApiAuth<P>(async ({ params, ctx }) => {
  if (!isUuid(params.id) || !isUuid(params.reminderId)) throw ApiError.notFound("Reminder");
  return Response.json(await cancelReminder(ctx, params.id, params.reminderId));
}, { scope: "reminders:write" });
