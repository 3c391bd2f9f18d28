import type { Role } from "@/db/schema";
import { ApiError } from "@/lib/api/errors";
import type { TenantContext } from "@/lib/tenancy/context";

function actingRole(ctx: TenantContext): Role | "system" {
  return ctx.actor.type === "user" ? ctx.actor.role : "system";
}

/** Only owners may hand out or take away the owner role (invitations included). */
export function assertMayGrant(ctx: TenantContext, role: Role) {
  const acting = actingRole(ctx);
  if (role === "owner" && acting !== "owner" && acting !== "system") {
    throw ApiError.forbidden("Only an owner can grant the owner role");
  }
}
