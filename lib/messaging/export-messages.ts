// The filtered message log as CSV, produced page by page (memory stays flat) up to a hard cap.
import { getDb } from "@/db";
import { listMessages as listMessageRows } from "@/db/queries/messages";
import { csvRow } from "@/lib/csv";
import type { TenantContext } from "@/lib/tenancy/context";
import type { ExportMessagesQuery, MessageOut } from "@/lib/validations/messages";
import { messageFilterOf, toOut } from "./messages";

const PAGE = 1000;

/** Rows one export may hold (HERALD_MESSAGE_EXPORT_MAX_ROWS, default 100,000): narrow the filters for more. */
export function messageExportLimit(): number {
  const v = Number(process.env.HERALD_MESSAGE_EXPORT_MAX_ROWS);
  return Number.isInteger(v) && v > 0 ? v : 100_000;
}

const columns = [
  "id",
  "created_at",
  "channel",
  "direction",
  "status",
  "provider",
  "config_id",
  "recipient",
  "contact_id",
  "template_id",
  "template_version",
  "error_code",
  "error_message",
  "attempt_count",
  "segments",
  "cost_amount",
  "cost_currency",
  "sent_at",
  "delivered_at",
  "failed_at",
  "provider_message_id",
  "idempotency_key",
  "trace_id",
] as const satisfies readonly (keyof MessageOut)[];

/** Newest first, the same filters and order as the log; times are ISO 8601 in UTC. */
export async function* exportMessagesCsv(ctx: TenantContext, q: ExportMessagesQuery, limit = messageExportLimit()): AsyncGenerator<string> {
  const filter = messageFilterOf(ctx, q);
  yield csvRow(columns);
  let left = limit;
  let beforeId: string | undefined;
  while (left > 0) {
    const rows = await listMessageRows(getDb(), { ...filter, beforeId, limit: Math.min(PAGE, left) });
    if (rows.length === 0) return;
    yield rows
      .map((r) => {
        const m = toOut(r);
        return csvRow(columns.map((c) => m[c]));
      })
      .join("");
    left -= rows.length;
    if (rows.length < Math.min(PAGE, left + rows.length)) return;
    beforeId = rows.at(-1)!.id;
  }
}
