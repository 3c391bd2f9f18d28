import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { getTenantSettings, updateTenantSettings } from "@/lib/tenants/tenant-settings";
import { tenantSettingsBody } from "@/lib/validations/preferences";

/** The tenant's own settings: its time zone, where "today" and "this month" begin. */
export const GET = withApiAuth(async ({ ctx }) => Response.json(await getTenantSettings(ctx)), {});

export const PATCH = withApiAuth(
  async ({ req, ctx }) => Response.json(await updateTenantSettings(ctx, await readJson(req, tenantSettingsBody))),
  { scope: "configs:write" },
);
