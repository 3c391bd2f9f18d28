import { withApiAuth } from "@/lib/api/with-api-auth";
import { describeCaller } from "@/lib/tenancy/describe-caller";

/** Who am I: the tenant and identity a key or session acts as. Any valid credential may call it. */
export const GET = withApiAuth(async ({ ctx }) => Response.json(describeCaller(ctx)), {});
