import { readQuery } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { listCustomerioFailuresFor } from "@/lib/integrations/customerio/integration";
import { customerioFailuresQuery } from "@/lib/validations/customerio";

/** Dead-lettered entities, newest first, with Customer.io's reason. */
export const GET = withApiAuth(async ({ req, ctx }) => {
  const q = readQuery(req, customerioFailuresQuery);
  return Response.json({ data: await listCustomerioFailuresFor(ctx, q.limit) });
}, { scope: "integrations:read" });
