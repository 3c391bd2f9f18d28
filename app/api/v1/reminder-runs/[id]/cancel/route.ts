import { ApiError } from "@/lib/api/errors";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { cancelRun } from "@/lib/reminders/runs";
import { isUuid } from "@/lib/validations/common";

/** Stops a scheduled or running run: sends it has not made yet are withdrawn (409 once it finished). */
export const POST = withApiAuth<{ id: string }>(async ({ params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Reminder run");
  return Response.json(await cancelRun(ctx, params.id));
}, { scope: "reminders:write" });
