import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { getCustomerioConfig, saveCustomerioConfig } from "@/lib/integrations/customerio/integration";
import { customerioConfigInput } from "@/lib/validations/customerio";

/** The tenant's Customer.io integration: config (credentials as metadata only), counts, last error, resync progress. */
export const GET = withApiAuth(async ({ ctx }) => Response.json(await getCustomerioConfig(ctx)), { scope: "integrations:read" });

/** Creates or replaces the config; site_id and api_key are required the first time and kept when omitted. */
export const PUT = withApiAuth(async ({ req, ctx }) => {
  const body = await readJson(req, customerioConfigInput);
  return Response.json(await saveCustomerioConfig(ctx, body));
}, { scope: "integrations:write" });
