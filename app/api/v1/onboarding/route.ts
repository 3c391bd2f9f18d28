import { withApiAuth } from "@/lib/api/with-api-auth";
import { getOnboarding } from "@/lib/onboarding/onboarding";

/** The tenant's setup checklist, each step from real state. Any member or key may read it. */
export const GET = withApiAuth(async ({ ctx }) => Response.json(await getOnboarding(ctx)), {});
