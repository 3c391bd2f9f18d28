import { getDb } from "@/db";
import { insertKommoRequestLog } from "@/db/queries/kommo";
import type { IntegrationRequestService } from "@/db/schema";
import { logger } from "@/lib/logger";

const SECRET_KEY = /(token|secret|api_?key|password|authorization|code|signature)/i;
const MAX_STRING = 300;
const MAX_ITEMS = 20;

/**
 * The input of a call as the request log keeps it: secret-named fields replaced, long strings and
 * arrays cut (an import of 500 rows is logged as its first rows and a count), so the log never
 * holds a token or key and stays small.
 */
export function redactInput(value: unknown, depth = 0): unknown {
  if (depth > 6) return "[nested]";
  if (typeof value === "string") return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  if (Array.isArray(value)) {
    const head = value.slice(0, MAX_ITEMS).map((v) => redactInput(v, depth + 1));
    return value.length > MAX_ITEMS ? [...head, `… ${value.length - MAX_ITEMS} more`] : head;
  }
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? "[redacted]" : redactInput(v, depth + 1);
    return out;
  }
  return value;
}

export interface RequestLogEntry {
  tenantId: string;
  integrationId: string;
  service: IntegrationRequestService;
  operation: string;
  method: string;
  input: Record<string, unknown>;
  status: number | null;
  ok: boolean;
  summary: string;
  durationMs: number;
}

/** Records one call or webhook; a failure to log is logged, never allowed to fail the call. */
export async function logIntegrationRequest(entry: RequestLogEntry): Promise<void> {
  try {
    await insertKommoRequestLog(getDb(), { ...entry, input: redactInput(entry.input) as Record<string, unknown>, summary: entry.summary.slice(0, 500) });
  } catch (err) {
    logger.warn({ err, service: entry.service, operation: entry.operation }, "could not record an integration request");
  }
}
