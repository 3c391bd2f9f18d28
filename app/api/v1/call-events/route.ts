import { withApiAuth } from "@/lib/api/with-api-auth";
import { readQuery } from "@/lib/api/read-json";
import { listCallEvents } from "@/lib/telephony/calls";
import { listCallEventsQuery } from "@/lib/validations/telephony";

/** Logged call events, newest first; `publish_status=dead_lettered` lists what needs a retry. */
export const GET = withApiAuth(async ({ req, ctx }) => {
  return Response.json(await listCallEvents(ctx, readQuery(req, listCallEventsQuery)));
}, { scope: "calls:read" });
