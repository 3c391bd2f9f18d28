import { randomBytes } from "node:crypto";
import { getDb } from "@/db";
import { lockProviderConfig, updateProviderConfig } from "@/db/queries/provider-configs";
import type { ProviderKind } from "@/db/schema/provider-configs";
import { ApiError } from "@/lib/api/errors";
import { recordAudit } from "@/lib/audit/record-audit";
import { rotateSecret } from "@/lib/secrets/store";
import { actorUserId, type TenantContext } from "@/lib/tenancy/context";
import type { ProviderConfigOut } from "@/lib/validations/provider-configs";
import { secretStoreFailure } from "./config-credentials";
import { toOut } from "./config-output";

/**
 * Replaces a config's callback token (the ref stays, the value changes): the old token stops
 * working on the next report. Messages already sent carry the old URL, so their reports are refused.
 */
export async function rotateCallbackToken(ctx: TenantContext, id: string, opts: { provider?: ProviderKind } = {}): Promise<ProviderConfigOut> {
  const db = getDb();
  return db
    .transaction(async (tx) => {
      const current = await lockProviderConfig(tx, { tenantId: ctx.tenantId, id });
      if (!current || (opts.provider && current.provider !== opts.provider)) throw ApiError.notFound("Provider config");
      if (!current.callbackTokenRef) {
        throw new ApiError({ code: "conflict", message: `${current.provider} delivery reports are not secured by a callback token` });
      }
      if (current.status === "decommissioned") throw new ApiError({ code: "conflict", message: "A decommissioned config cannot change" });
      await rotateSecret(tx, { tenantId: ctx.tenantId, ref: current.callbackTokenRef, value: randomBytes(24).toString("base64url"), rotatedBy: actorUserId(ctx.actor) });
      const row = await updateProviderConfig(tx, { tenantId: ctx.tenantId, id, values: { updatedBy: actorUserId(ctx.actor) } });
      await recordAudit(tx, ctx, { action: "provider_config.callback_token_rotated", targetType: "provider_config", targetId: id, details: { provider: current.provider } });
      return toOut(tx, ctx, row ?? current);
    })
    .catch(secretStoreFailure);
}
