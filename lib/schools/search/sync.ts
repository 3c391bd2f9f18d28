import { getDb } from "@/db";
import { findSchoolsByIds, listSchoolsAfter } from "@/db/queries/schools";
import { logger } from "@/lib/logger";
import {
  deleteSchoolDocument,
  deleteStaleSchoolDocuments,
  ensureSchoolCollection,
  toSchoolDocument,
  upsertSchoolDocuments,
  type TypesenseConfig,
} from "./typesense";

/**
 * Brings the given schools' documents in line with Postgres as it is NOW: existing schools are
 * upserted, missing ones deleted. Reading current state (not the event's) makes retries and
 * out-of-order runs converge on the latest data.
 */
export async function syncSchoolsToTypesense(config: TypesenseConfig, tenantId: string, schoolIds: string[]) {
  const rows = await findSchoolsByIds(getDb(), { tenantId, ids: schoolIds });
  const now = Date.now();
  await upsertSchoolDocuments(config, rows.map((r) => toSchoolDocument(r, now)));
  const present = new Set(rows.map((r) => r.id));
  let deleted = 0;
  for (const id of schoolIds) if (!present.has(id) && (await deleteSchoolDocument(config, id))) deleted++;
  return { upserted: rows.length, deleted };
}

/** Full reindex of one tenant: upsert every school in pages, then drop documents not refreshed. */
export async function reindexTenantSchools(
  config: TypesenseConfig,
  tenantId: string,
  onProgress?: (indexed: number) => void,
): Promise<{ collection: string; indexed: number; deleted: number }> {
  const collection = await ensureSchoolCollection(config);
  logger.info({ collection: config.collection, state: collection }, "school collection ready");
  // Stale = synced before this run started; the 1 ms step keeps a same-millisecond doc fresh.
  const startedAt = Date.now();
  let afterId: string | null = null;
  let indexed = 0;
  for (;;) {
    const page = await listSchoolsAfter(getDb(), { tenantId, afterId, limit: 1000 });
    if (page.length === 0) break;
    await upsertSchoolDocuments(config, page.map((r) => toSchoolDocument(r, startedAt + 1)));
    indexed += page.length;
    afterId = page[page.length - 1]!.id;
    onProgress?.(indexed);
  }
  const deleted = await deleteStaleSchoolDocuments(config, tenantId, startedAt + 1);
  return { collection: config.collection, indexed, deleted };
}
