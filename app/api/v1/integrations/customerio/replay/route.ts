import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { replayCustomerioFailures } from "@/lib/integrations/customerio/integration";
import { customerioReplayInput } from "@/lib/validations/customerio";

/** `{ entity_ids? }`: dead letters (all, or these) go back to pending and a run is queued; 202. */
export const POST = withApiAuth(async ({ req, ctx }) => {
  const body = await readJson(req, customerioReplayInput);
  return Response.json(await replayCustomerioFailures(ctx, body.entity_ids), { status: 202 });
}, { scope: "integrations:write" });
