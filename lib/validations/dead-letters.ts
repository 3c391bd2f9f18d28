import { z } from "zod";
import { deadLetterKinds, providerKinds } from "@/db/schema/enum-values";
import { isoDateTime, limitQuery } from "./common";

export { deadLetterKinds };
export const deadLetterKindSchema = z.enum(deadLetterKinds);
export type DeadLetterKindOut = z.infer<typeof deadLetterKindSchema>;

export const deadLetterFilter = z.strictObject({
  /** message: exhausted every route; communication_event / call_event: the broker refused it past retries; job: a workflow run failed for good. */
  kind: deadLetterKindSchema.optional(),
  provider: z.enum(providerKinds).optional(),
  since: isoDateTime().optional(),
});
export type DeadLetterFilterInput = z.infer<typeof deadLetterFilter>;

export const listDeadLettersQuery = deadLetterFilter.extend({
  cursor: z.string().max(200).optional(),
  limit: limitQuery,
});
export type ListDeadLettersQuery = z.infer<typeof listDeadLettersQuery>;

/** At most this many dead letters per replay request (by ids or by filter). */
export const MAX_REPLAY = 1000;

export const replayBody = z.union([
  z.strictObject({ ids: z.array(z.uuid("Each id is a dead letter id (UUID)")).min(1, "At least one id").max(MAX_REPLAY) }),
  z.strictObject({ filter: deadLetterFilter }),
]);
export type ReplayBody = z.infer<typeof replayBody>;

const attemptOut = z.object({
  attempt_no: z.number(),
  provider: z.string(),
  config_id: z.string().nullable(),
  outcome: z.string(),
  response_code: z.number().nullable(),
  error_code: z.string().nullable(),
  error_message: z.string().nullable(),
  latency_ms: z.number().nullable(),
  started_at: z.string(),
});

export const deadLetterOut = z.object({
  id: z.string(),
  kind: deadLetterKindSchema,
  failed_at: z.string(),
  provider: z.string().nullable(),
  config_id: z.string().nullable(),
  /** The message it concerns (message and communication_event kinds). */
  message_id: z.string().nullable(),
  channel: z.string().nullable(),
  recipient: z.string().nullable(),
  /** Event or workflow name (communication_event, call_event, job kinds). */
  name: z.string().nullable(),
  error_code: z.string().nullable(),
  last_error: z.string().nullable(),
  attempt_count: z.number(),
  idempotency_key: z.string().nullable(),
  attempts: z.array(attemptOut),
  replays: z.array(z.object({ actor: z.string(), actor_type: z.string(), replayed_at: z.string() })),
});
export type DeadLetterOut = z.infer<typeof deadLetterOut>;

export const deadLetterListOut = z.object({
  data: z.array(deadLetterOut),
  next_cursor: z.string().nullable(),
});
export type DeadLetterListOut = z.infer<typeof deadLetterListOut>;

export const replayResultOut = z.object({
  replayed: z.array(z.object({ id: z.string(), kind: deadLetterKindSchema })),
  /** Ids that were not (or no longer) dead letters: already replayed, resent or unknown. */
  skipped: z.array(z.object({ id: z.string(), reason: z.string() })),
});
export type ReplayResultOut = z.infer<typeof replayResultOut>;
