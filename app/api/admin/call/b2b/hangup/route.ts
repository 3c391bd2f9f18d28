import { withApiAuth } from "@/lib/api/with-api-auth";
import { readJson } from "@/lib/api/read-json";
import { requestCallCommand } from "@/lib/telephony/calls";
import { hangupCallBody } from "@/lib/validations/telephony";

/** Operator hang-up: recorded, then sent to the telephony server on the call-commands queue. */
export const POST = withApiAuth(async ({ req, ctx }) => {
  const body = await readJson(req, hangupCallBody);
  const command = await requestCallCommand(ctx, { callId: body.call_id, command: "hangup" });
  return Response.json({ status: "queued", command }, { status: 202 });
}, { scope: "calls:write" });
