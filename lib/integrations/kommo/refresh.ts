import { getDb } from "@/db";
import { findKommoIntegration, listKommoIntegrationsToRefresh } from "@/db/queries/kommo";
import { logger } from "@/lib/logger";
import { IntegrationTransientError, KommoGrantRevokedError } from "./errors";
import { refreshKommoTokens } from "./tokens";

/** Refresh this long before expiry: a day-long token is renewed with hours to spare for retries. */
export const KOMMO_REFRESH_AHEAD_MS = 6 * 3_600_000;

/**
 * The scheduled refresh: rotates every active integration whose access token expires within the
 * window. A refused grant moves that integration to `error` (inside refreshKommoTokens) and the
 * others go on; a transient failure is retried by the next run, well before expiry.
 */
export async function refreshExpiringKommoTokens(opts: { aheadMs?: number; limit?: number } = {}): Promise<{ refreshed: number; failed: number }> {
  const due = await listKommoIntegrationsToRefresh(getDb(), { before: new Date(Date.now() + (opts.aheadMs ?? KOMMO_REFRESH_AHEAD_MS)), limit: opts.limit ?? 200 });
  let refreshed = 0;
  let failed = 0;
  for (const { tenantId, id } of due) {
    const row = await findKommoIntegration(getDb(), { tenantId, id });
    if (!row || row.status !== "active") continue;
    try {
      await refreshKommoTokens(row);
      refreshed++;
    } catch (err) {
      failed++;
      if (!(err instanceof KommoGrantRevokedError || err instanceof IntegrationTransientError)) logger.error({ err, tenantId, integrationId: id }, "Kommo token refresh failed");
    }
  }
  return { refreshed, failed };
}
