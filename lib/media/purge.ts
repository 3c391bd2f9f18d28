// Retention for media: objects past their days, deletions to finish, abandoned presigned uploads.
// Rows are claimed (marked deleted) in one short statement, objects deleted with no transaction
// open, then the rows; an object that could not be deleted keeps its row for the next run.
import { getDb } from "@/db";
import { claimExpiredMedia, deletePurgedMedia } from "@/db/queries/media";
import { logger } from "@/lib/logger";
import { mediaSettings } from "./settings";
import { mediaStorage } from "./storage/select";

export async function purgeExpiredMediaBatch(input: { limit: number }): Promise<{ deleted: number; full: boolean }> {
  const claimed = await claimExpiredMedia(getDb(), { defaultDays: mediaSettings().retentionDays, limit: input.limit });
  if (claimed.length === 0) return { deleted: 0, full: false };
  const { storage } = mediaStorage();
  const gone: string[] = [];
  for (const row of claimed) {
    // An object in a backend this deployment no longer uses cannot be reached: the row goes, the object stays.
    if (row.backend !== storage.backend) {
      gone.push(row.id);
      continue;
    }
    try {
      await storage.delete(row.storageKey);
      gone.push(row.id);
    } catch (err) {
      logger.warn({ err, mediaId: row.id }, "media object not deleted; the next purge retries");
    }
  }
  const deleted = await deletePurgedMedia(getDb(), { ids: gone });
  return { deleted, full: claimed.length >= input.limit && gone.length > 0 };
}
