import { ApiError } from "@/lib/api/errors";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { getRun } from "@/lib/reminders/runs";
import { isUuid } from "@/lib/validations/common";

export const GET = withApiAuth<{ id: string }>(async ({ params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Reminder run");
  return Response.json(await getRun(ctx, params.id));
}, { scope: "reminders:read" });
