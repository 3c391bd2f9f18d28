// The config lifecycle: member transitions (activate, pause, decommission) and Herald moving a
// config to `error` when the provider rejects its credentials.
import { randomUUID } from "node:crypto";
import { getDb, type DbOrTx } from "@/db";
import { lockProviderConfig, transitionProviderConfig, updateProviderConfig } from "@/db/queries/provider-configs";
import type { ProviderConfig, ProviderKind } from "@/db/schema/provider-configs";
import { ApiError } from "@/lib/api/errors";
import { recordAudit } from "@/lib/audit/record-audit";
import { logger } from "@/lib/logger";
import { alertConfigError } from "@/lib/alerts/ops-alerts";
import { describeRefs } from "@/lib/secrets/store";
import { actorUserId, type TenantContext } from "@/lib/tenancy/context";
import { providerDefinitions, type ProviderConfigOut, type TransitionTarget } from "@/lib/validations/provider-configs";
import { toOut } from "./config-output";
import { allowedTransitions, illegalTransition } from "./config-transitions";

export { allowedTransitions };

/** Every ref resolves (stored secret present, env var allowed and set); else the missing fields. */
async function unresolvableCredentials(db: DbOrTx, row: ProviderConfig): Promise<string[]> {
  const meta = await describeRefs(db, row.tenantId, Object.values(row.credentials));
  const required = Object.entries(providerDefinitions[row.provider].credentials as Record<string, { optional?: boolean }>)
    .filter(([, m]) => !m.optional)
    .map(([k]) => k);
  return required.filter((field) => {
    const ref = row.credentials[field];
    return !ref || !meta.get(ref)?.set;
  });
}

export async function transitionConfig(
  ctx: TenantContext,
  id: string,
  to: TransitionTarget,
  opts: { provider?: ProviderKind } = {},
): Promise<ProviderConfigOut> {
  const db = getDb();
  // The response is built after commit: toOut reads through the pool (breaker health), and a
  // transaction waiting for a second pool connection while others wait for its row lock starves the pool.
  const row = await db.transaction(async (tx) => {
    const current = await lockProviderConfig(tx, { tenantId: ctx.tenantId, id });
    if (!current || (opts.provider && current.provider !== opts.provider)) throw ApiError.notFound("Provider config");
    if (!allowedTransitions[current.status].includes(to)) throw illegalTransition(current.status, to);
    if (to === "active") {
      const missing = await unresolvableCredentials(tx, current);
      if (missing.length > 0) {
        throw new ApiError({
          code: "conflict",
          message: `Set these credentials before activating: ${missing.join(", ")}`,
          details: { from: current.status, to, allowed: allowedTransitions[current.status], missing_credentials: missing },
        });
      }
    }
    const row = await transitionProviderConfig(tx, {
      tenantId: ctx.tenantId,
      id,
      from: [current.status],
      to,
      values: { updatedBy: actorUserId(ctx.actor) },
    });
    if (!row) throw illegalTransition(current.status, to);
    await recordAudit(tx, ctx, {
      action: to === "decommissioned" ? "provider_config.decommissioned" : "provider_config.transitioned",
      targetType: "provider_config",
      targetId: id,
      details: { provider: current.provider, from: current.status, to },
    });
    return row;
  });
  return toOut(db, ctx, row);
}

/** DELETE: decommission (terminal; the row and its history stay). */
export async function decommissionConfig(ctx: TenantContext, id: string, opts: { provider?: ProviderKind } = {}) {
  return transitionConfig(ctx, id, "decommissioned", opts);
}

/**
 * Herald saw the provider reject this config's credentials (e.g. a 401 on send): move it to
 * `error` so it stops sending, and keep the provider's message. No-op on decommissioned configs.
 */
export async function markConfigError(tenantId: string, id: string, message: string): Promise<boolean> {
  const db = getDb();
  const moved = await db.transaction(async (tx) => {
    const current = await lockProviderConfig(tx, { tenantId, id });
    if (!current || current.status === "decommissioned") return null;
    const lastError = message.slice(0, 500);
    const row =
      current.status === "error"
        ? await updateProviderConfig(tx, { tenantId, id, values: { lastError } })
        : await transitionProviderConfig(tx, { tenantId, id, from: [current.status], to: "error", values: { lastError } });
    const ctx: TenantContext = { tenantId, tenantSlug: "", actor: { type: "system", label: "herald" }, requestId: `sys_${randomUUID()}` };
    await recordAudit(tx, ctx, {
      action: "provider_config.error",
      targetType: "provider_config",
      targetId: id,
      details: { provider: current.provider, from: current.status, message: lastError },
    });
    logger.warn({ configId: id, provider: current.provider, from: current.status }, "provider config moved to error");
    return row ? { row, from: current.status } : null;
  });
  // Alerted once, when it moves (a config already in error only gets its message updated).
  if (moved && moved.from !== "error") alertConfigError({ id, tenantId, provider: moved.row.provider, displayName: moved.row.displayName }, moved.from, message.slice(0, 500));
  return moved !== null;
}
