import { getDb } from "@/db";
import { insertDeadLetter } from "@/db/queries/jobs";
import { logger } from "@/lib/logger";
import { isUuid } from "@/lib/validations/common";
import type { EngineKind } from "./engine-kind";

export async function recordDeadLetter(input: {
  engine: EngineKind;
  functionId: string;
  runId: string;
  event: { name: string; id?: string; data: Record<string, unknown> };
  error: unknown;
  attempts: number;
}): Promise<void> {
  const message = input.error instanceof Error ? input.error.message : String(input.error);
  const raw = input.event.data.tenantId;
  // The payload may be the very thing that is malformed; keep the row even then.
  const tenantId = typeof raw === "string" && isUuid(raw) ? raw : null;
  await insertDeadLetter(getDb(), {
    engine: input.engine,
    functionId: input.functionId,
    runId: input.runId,
    eventName: input.event.name,
    eventId: input.event.id ?? null,
    tenantId,
    payload: input.event.data,
    error: message.slice(0, 4000),
    attempts: input.attempts,
  });
  logger.error(
    { functionId: input.functionId, runId: input.runId, event: input.event.name, attempts: input.attempts, error: message },
    "workflow failed for good; dead letter recorded",
  );
}
