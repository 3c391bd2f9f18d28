import { getDb } from "@/db";
import { insertDeadLetter } from "@/db/queries/jobs";
import { errorText, logger } from "@/lib/logger";
import { noteDeadLetters } from "@/lib/alerts/ops-alerts";
import { isUuid } from "@/lib/validations/common";
import type { EngineKind } from "./engine-kind";
import type { AnyWorkflow } from "./workflow";

export async function recordDeadLetter(input: {
  engine: EngineKind;
  functionId: string;
  runId: string;
  event: { name: string; id?: string; data: Record<string, unknown> };
  error: unknown;
  attempts: number;
}): Promise<void> {
  const message = errorText(input.error);
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
  // The run's own error (with its stack) goes with the line, so Sentry reports it; the payload does not.
  logger.error(
    { err: input.error, functionId: input.functionId, runId: input.runId, tenantId, event: input.event.name, attempts: input.attempts },
    "workflow failed for good; dead letter recorded",
  );
  noteDeadLetters(tenantId, 1, `workflow ${input.functionId}`);
}

/** A workflow's onFailure; its own failure is logged, never allowed to hide the run's dead letter. */
export async function runFailureHandler(
  wf: AnyWorkflow,
  input: { event: { name: string; id: string; data: Record<string, unknown> }; error: unknown; runId: string; attempts: number },
): Promise<void> {
  const log = logger.child({ workflow: wf.id, runId: input.runId });
  try {
    await wf.onFailure({ ...input, log } as never);
  } catch (err) {
    log.error({ err, runError: errorText(input.error) }, "onFailure failed; the stuck-work sweeper resolves the subject");
  }
}
