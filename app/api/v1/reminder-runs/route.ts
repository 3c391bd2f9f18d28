import { readQuery } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { listRuns } from "@/lib/reminders/runs";
import { listRunsQuery } from "@/lib/validations/reminders";

/** Run history (latest first) or, with upcoming=true, the timeline of scheduled firings; each with its figures. */
export const GET = withApiAuth(async ({ req, ctx }) => {
  return Response.json(await listRuns(ctx, readQuery(req, listRunsQuery)));
}, { scope: "reminders:read" });
