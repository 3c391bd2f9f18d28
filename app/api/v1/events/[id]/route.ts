import { ApiError } from "@/lib/api/errors";
import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { cancelEvent, getEvent, updateEvent } from "@/lib/reminders/events";
import { isUuid } from "@/lib/validations/common";
import { updateEventBody } from "@/lib/validations/reminders";

export const GET = withApiAuth<{ id: string }>(async ({ params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Event");
  return Response.json(await getEvent(ctx, params.id));
}, { scope: "reminders:read" });

/** Changes the event; a new starts_at marks it moved and re-plans every reminder not sent yet. */
export const PATCH = withApiAuth<{ id: string }>(async ({ req, params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Event");
  return Response.json(await updateEvent(ctx, params.id, await readJson(req, updateEventBody, 1024 * 1024)));
}, { scope: "reminders:write" });

/** Cancels the event (it stays, with its history): pending reminders are withdrawn, the cancellation notice goes out. */
export const DELETE = withApiAuth<{ id: string }>(async ({ params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Event");
  return Response.json(await cancelEvent(ctx, params.id));
}, { scope: "reminders:write" });
