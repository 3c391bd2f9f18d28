import { withApiAuth } from "@/lib/api/with-api-auth";
import { addSandboxConfigs } from "@/lib/sandbox/sandbox-hook";

/**
 * Adds (or re-binds) the tenant's sandbox provider configs served by the in-process simulator.
 * Development only: 403 whenever NODE_ENV is production. Owners and admins (configs:write).
 */
export const POST = withApiAuth(async ({ ctx }) => {
  const configs = await addSandboxConfigs(ctx);
  return Response.json({ data: configs }, { status: 201 });
}, { scope: "configs:write" });
