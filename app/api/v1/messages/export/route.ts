import { csvResponse } from "@/lib/api/csv-response";
import { readQuery } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { exportMessagesCsv, messageExportLimit } from "@/lib/messaging/export-messages";
import { exportMessagesQuery } from "@/lib/validations/messages";

/** The filtered message log as a streamed CSV (the log's filters; at most HERALD_MESSAGE_EXPORT_MAX_ROWS rows, newest first). */
export const GET = withApiAuth(async ({ req, ctx }) => {
  const q = readQuery(req, exportMessagesQuery);
  const limit = messageExportLimit();
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
  return csvResponse(exportMessagesCsv(ctx, q, limit), `messages-${stamp}.csv`, { "x-herald-export-limit": String(limit) });
}, { scope: "messages:read" });
