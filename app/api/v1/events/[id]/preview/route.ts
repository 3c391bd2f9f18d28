import { ApiError } from "@/lib/api/errors";
import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { previewEvent } from "@/lib/reminders/preview";
import { isUuid } from "@/lib/validations/common";
import { eventPreviewBody } from "@/lib/validations/reminders";

/** What each channel of a reminder will say for a sample recipient (nothing is sent). */
export const POST = withApiAuth<{ id: string }>(async ({ req, params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Event");
  return Response.json(await previewEvent(ctx, params.id, await readJson(req, eventPreviewBody, 64 * 1024)));
}, { scope: "reminders:read" });
