import type { RetentionKind } from "@/db/queries/retention";
import { positiveNumberEnv } from "@/lib/env";

/** Days each kind of finished row is kept, with the env variable that sets it. */
export const retentionDefaults: Record<RetentionKind, { env: string; days: number }> = {
  outbox: { env: "HERALD_RETENTION_OUTBOX_DAYS", days: 7 },
  job_steps: { env: "HERALD_RETENTION_JOB_STEPS_DAYS", days: 14 },
  message_audit: { env: "HERALD_RETENTION_MESSAGE_AUDIT_DAYS", days: 90 },
  webhook_events: { env: "HERALD_RETENTION_WEBHOOK_EVENTS_DAYS", days: 30 },
  webhook_deliveries: { env: "HERALD_RETENTION_WEBHOOK_DELIVERIES_DAYS", days: 30 },
  bus_dead_letters: { env: "HERALD_RETENTION_BUS_DEAD_LETTERS_DAYS", days: 30 },
  // The default for media uploaded without `retention_days` (read through lib/media/settings.ts).
  media: { env: "HERALD_RETENTION_MEDIA_DAYS", days: 365 },
  rate_limits: { env: "HERALD_RETENTION_RATE_LIMITS_DAYS", days: 1 },
  integration_requests: { env: "HERALD_RETENTION_INTEGRATION_REQUESTS_DAYS", days: 30 },
};

export interface RetentionPolicy {
  days: Record<RetentionKind, number>;
  /** Rows per delete statement. */
  batch: number;
  /** Pause between batches, so a purge never takes a core or the pool for long. */
  pauseMs: number;
  /** How often the purge is scheduled. */
  intervalMs: number;
}

export function retentionPolicy(env: NodeJS.ProcessEnv = process.env): RetentionPolicy {
  const days = Object.fromEntries(
    Object.entries(retentionDefaults).map(([kind, d]) => [kind, positiveNumberEnv(d.env, d.days, env)]),
  ) as Record<RetentionKind, number>;
  return {
    days,
    batch: Math.floor(positiveNumberEnv("HERALD_RETENTION_BATCH", 2_000, env)),
    pauseMs: positiveNumberEnv("HERALD_RETENTION_PAUSE_MS", 20, env),
    intervalMs: positiveNumberEnv("HERALD_RETENTION_INTERVAL_MINUTES", 60, env) * 60_000,
  };
}
