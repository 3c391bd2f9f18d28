// The full sync: Kommo's contacts page by page (250 each, following `_links.next`), two pages per
// Unisender import (≤500 rows), the cursor saved after each step so a crashed run resumes there.
import { getDb } from "@/db";
import { advanceKommoSync, failKommoSync, findKommoIntegration, resumeKommoSync, startKommoSync } from "@/db/queries/kommo";
import { alertIntegrationFailed } from "@/lib/alerts/ops-alerts";
import { emitEvent } from "@/lib/jobs/emit";
import { deterministicUuid } from "@/lib/jobs/run-id";
import { fetchKommoContactsPage } from "./client";
import { IntegrationPermanentError, KommoGrantRevokedError } from "./errors";
import { mirrorContacts, stateFromApi, unisenderTarget } from "./mirror";
import { kommoAccessToken, kommoTarget, markKommoRevoked } from "./tokens";

const PAGES_PER_STEP = 2;

/**
 * Starts a sync (a later request supersedes a running one) and emits its run. `incremental`
 * reads only contacts updated since the last completed sync started (all of them if none did).
 */
export async function requestKommoSync(input: { tenantId: string; integrationId: string; incremental?: boolean }): Promise<{ generation: number }> {
  return getDb().transaction(async (tx) => {
    const before = await findKommoIntegration(tx, { tenantId: input.tenantId, id: input.integrationId });
    const updatedFrom = input.incremental && before?.syncStatus === "done" ? before.syncStartedAt : null;
    const row = await startKommoSync(tx, { tenantId: input.tenantId, id: input.integrationId, updatedFrom });
    if (!row) throw new IntegrationPermanentError("The integration no longer exists", "integration_gone");
    await emitEvent(
      "herald/kommo-sync.requested",
      { tenantId: input.tenantId, integrationId: input.integrationId, generation: row.syncGeneration },
      { db: tx, tenantId: input.tenantId, id: deterministicUuid("kommo-sync", input.integrationId, String(row.syncGeneration)) },
    );
    return { generation: row.syncGeneration };
  });
}

/**
 * One step of a sync: up to two pages from the saved cursor, pushed, cursor advanced. `done` when
 * the last page is in, or the run is stale (a newer sync, or the integration can't go on).
 * Transient failures throw (the workflow retries); a refused grant ends the sync and the integration.
 */
export async function runKommoSyncStep(input: { tenantId: string; integrationId: string; generation: number }): Promise<{ done: boolean }> {
  let row = await findKommoIntegration(getDb(), { tenantId: input.tenantId, id: input.integrationId });
  // A failed sync's run replayed from its dead letter (or re-run after the grant was restored) resumes at the saved page.
  if (row?.syncStatus === "failed" && row.syncGeneration === input.generation && row.status === "active") {
    row = (await resumeKommoSync(getDb(), { tenantId: input.tenantId, id: input.integrationId, generation: input.generation })) ?? row;
  }
  if (!row || row.syncGeneration !== input.generation || row.syncStatus !== "running") return { done: true };
  const current = row;
  const fail = async (error: string) => {
    await failKommoSync(getDb(), { tenantId: current.tenantId, id: current.id, generation: input.generation, error });
    return { done: true };
  };
  if (row.status !== "active") return fail(`The integration is ${row.status}${row.errorReason ? `: ${row.errorReason}` : ""}`);
  try {
    const token = await kommoAccessToken(row);
    const target = await unisenderTarget(row);
    let cursor = row.syncNextPage;
    const states = [];
    let pages = 0;
    for (let i = 0; i < PAGES_PER_STEP; i++) {
      pages++;
      const page = await fetchKommoContactsPage(kommoTarget(row), token, cursor, { updatedFrom: row.syncUpdatedFrom });
      states.push(...page.contacts.map(stateFromApi));
      cursor = page.next;
      if (!cursor) break;
    }
    const pushed = await mirrorContacts(row, target, states);
    const advanced = await advanceKommoSync(getDb(), {
      tenantId: row.tenantId,
      id: row.id,
      generation: input.generation,
      fromPage: row.syncNextPage,
      nextPage: cursor,
      pages,
      contacts: states.length,
      pushed,
    });
    return { done: !advanced || cursor === null };
  } catch (err) {
    if (err instanceof KommoGrantRevokedError) {
      await markKommoRevoked(row, err.message);
      return fail(err.message);
    }
    if (err instanceof IntegrationPermanentError) {
      alertIntegrationFailed({ tenantId: row.tenantId, integration: `Kommo (${row.subdomain})`, integrationId: row.id, message: `Full sync failed: ${err.message}` });
      return fail(err.message);
    }
    throw err;
  }
}

/** The sync's terminal state when its workflow failed for good (visible on the integration). */
export async function failKommoSyncRun(input: { tenantId: string; integrationId: string; generation: number; error: string }): Promise<void> {
  await failKommoSync(getDb(), { tenantId: input.tenantId, id: input.integrationId, generation: input.generation, error: input.error });
}
