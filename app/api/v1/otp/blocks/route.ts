import { withApiAuth } from "@/lib/api/with-api-auth";
import { listOtpBlocks } from "@/lib/otp/blocks";

export const GET = withApiAuth(async ({ ctx }) => Response.json(await listOtpBlocks(ctx)), { scope: "configs:read" });
