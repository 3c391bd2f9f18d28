import { withApiAuth } from "@/lib/api/with-api-auth";
import { readJson } from "@/lib/api/read-json";
import { requestCallCommand } from "@/lib/telephony/calls";
import { forwardCallBody } from "@/lib/validations/telephony";

/** Operator forward: recorded, then sent to the telephony server on the call-commands queue. */
export const POST = withApiAuth(async ({ req, ctx }) => {
  const body = await readJson(req, forwardCallBody);
  const command = await requestCallCommand(ctx, { callId: body.call_id, command: "forward", toNumber: body.to_number });
  return Response.json({ status: "queued", command }, { status: 202 });
}, { scope: "calls:write" });
