import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { replayDeadLetters } from "@/lib/messaging/dead-letters";
import { replayBody } from "@/lib/validations/dead-letters";

/** Replays `{ ids: [...] }` or `{ filter: { kind?, provider?, since? } }` (≤ 1,000); 202 with what was re-queued and what was not. */
export const POST = withApiAuth(async ({ req, ctx }) => {
  const body = await readJson(req, replayBody);
  return Response.json(await replayDeadLetters(ctx, body), { status: 202 });
}, { scope: "messages:send" });
