import { withRoute } from "@/lib/api/with-api-auth";
import { ApiError } from "@/lib/api/errors";
import { readJson } from "@/lib/api/read-json";
import { ingestCallEvent } from "@/lib/telephony/ingest";
import { authenticateTelephonyToken } from "@/lib/telephony/tokens";
import { callEventBody } from "@/lib/validations/telephony";

const BODY_LIMIT = 16 * 1024;

/** Telephony ingest: X-API-TOKEN → validate → log + queue for RabbitMQ → 202. */
export const POST = withRoute(async ({ req }) => {
  const caller = await authenticateTelephonyToken(req.headers.get("x-api-token"));
  if (!caller) {
    throw new ApiError({ code: "unauthorized", message: "A valid X-API-TOKEN header is required" });
  }
  const input = await readJson(req, callEventBody, BODY_LIMIT);
  await ingestCallEvent({ tenantId: caller.tenantId }, input);
  // A repeat is acknowledged the same way: the first copy is already logged and queued.
  return Response.json({ status: "queued" }, { status: 202 });
});
