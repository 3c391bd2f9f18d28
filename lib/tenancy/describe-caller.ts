import type { TenantContext } from "./context";

export function describeCaller(ctx: TenantContext) {
  const { actor } = ctx;
  return {
    tenant: { id: ctx.tenantId, slug: ctx.tenantSlug },
    actor:
      actor.type === "user"
        ? { type: "user", id: actor.userId, email: actor.email, role: actor.role }
        : actor.type === "api_key"
          ? { type: "api_key", id: actor.keyId, name: actor.name, scopes: actor.scopes }
          : { type: "system", name: actor.label },
  };
}
