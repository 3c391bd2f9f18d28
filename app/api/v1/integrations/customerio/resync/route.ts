import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { startCustomerioResync } from "@/lib/integrations/customerio/integration";
import { customerioResyncInput } from "@/lib/validations/customerio";

/** `{ b2c?, b2b? }`: starts a full resend in the background; 202 with its start time (progress on GET). */
export const POST = withApiAuth(async ({ req, ctx }) => {
  const body = await readJson(req, customerioResyncInput);
  return Response.json(await startCustomerioResync(ctx, body), { status: 202 });
}, { scope: "integrations:write" });
