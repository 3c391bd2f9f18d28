import { withApiAuth } from "@/lib/api/with-api-auth";
import { getTelephonyTokenStatus, revokeTelephonyToken, rotateTelephonyToken } from "@/lib/telephony/tokens";

// Minting the credential the telephony server posts with is an admin's job, in a signed-in session.
const manage = { scope: "calls:write", sessionOnly: true, minRole: "admin" } as const;

export const GET = withApiAuth(async ({ ctx }) => {
  return Response.json(await getTelephonyTokenStatus(ctx));
}, { scope: "calls:read" });

/** Creates the token, or rotates it (the old one stops working at once). The token is in this response only. */
export const POST = withApiAuth(async ({ ctx }) => {
  return Response.json(await rotateTelephonyToken(ctx), { status: 201, headers: { "Cache-Control": "no-store" } });
}, manage);

export const DELETE = withApiAuth(async ({ ctx }) => {
  await revokeTelephonyToken(ctx);
  return new Response(null, { status: 204 });
}, manage);
