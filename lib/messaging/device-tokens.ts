// Push hygiene: tokens a provider reported dead are deactivated and never targeted again.
import { getDb, type DbOrTx } from "@/db";
import { deactivateDeviceToken as deactivateRow, listDeviceTokens } from "@/db/queries/routing";
import type { ProviderKind } from "@/db/schema/provider-configs";
import type { TenantContext } from "@/lib/tenancy/context";

/**
 * Called by the delivery workflow on FCM `UNREGISTERED`/`INVALID_ARGUMENT` for a token, or a
 * OneSignal invalid player id. Idempotent; pass the workflow's transaction to commit it with
 * the message's terminal state.
 */
export async function deactivateDeviceToken(
  tenantId: string,
  input: { token: string; platform?: string | null; provider?: ProviderKind | null; reason: string; messageId?: string | null },
  db: DbOrTx = getDb(),
) {
  return deactivateRow(db, { tenantId, ...input, reason: input.reason.slice(0, 200) });
}

export async function listDeactivatedDeviceTokens(ctx: TenantContext, opts: { limit: number }) {
  const rows = await listDeviceTokens(getDb(), { tenantId: ctx.tenantId, active: false, limit: opts.limit });
  return rows.map((r) => ({
    token: r.token,
    platform: r.platform,
    provider: r.provider,
    reason: r.reason,
    deactivated_at: r.deactivatedAt?.toISOString() ?? null,
    last_message_id: r.lastMessageId,
  }));
}
