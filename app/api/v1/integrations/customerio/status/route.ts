import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { setCustomerioStatus } from "@/lib/integrations/customerio/integration";
import { customerioStatusInput } from "@/lib/validations/customerio";

/** `{ status: "active" | "paused" | "decommissioned" }`: only an active integration syncs. */
export const POST = withApiAuth(async ({ req, ctx }) => {
  const body = await readJson(req, customerioStatusInput);
  return Response.json(await setCustomerioStatus(ctx, body.status));
}, { scope: "integrations:write" });
