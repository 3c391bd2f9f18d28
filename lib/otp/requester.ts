import type { NextRequest } from "next/server";
import type { TenantContext } from "@/lib/tenancy/context";
import type { Requester } from "./guards";

/** The caller for the per-client throttle: its API key, else the address Herald's server stamped. */
export function requesterOf(req: NextRequest, ctx: TenantContext): Requester {
  return {
    apiKeyId: ctx.actor.type === "api_key" ? ctx.actor.keyId : null,
    clientAddress: req.headers.get("x-herald-client-ip"),
  };
}
