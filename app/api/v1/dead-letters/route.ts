import { readQuery } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { listDeadLetters } from "@/lib/messaging/dead-letters";
import { listDeadLettersQuery } from "@/lib/validations/dead-letters";

/** Dead letters newest first: ?kind=message|communication_event|call_event|job&provider&since&cursor&limit. */
export const GET = withApiAuth(async ({ req, ctx }) => {
  return Response.json(await listDeadLetters(ctx, readQuery(req, listDeadLettersQuery)));
}, { scope: "messages:read" });
