import { withApiAuth } from "@/lib/api/with-api-auth";
import { testCustomerioCredentials } from "@/lib/integrations/customerio/integration";

/** Calls Customer.io with the stored credentials (the account-region read); `{ ok, message, region }`. */
export const POST = withApiAuth(async ({ ctx }) => Response.json(await testCustomerioCredentials(ctx)), { scope: "integrations:write" });
