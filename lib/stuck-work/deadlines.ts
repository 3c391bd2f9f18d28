// How long each kind of accepted work may stay non-terminal before the sweeper resolves it.
import type { StuckCutoffs, StuckKind } from "@/db/queries/stuck-work";
import { ATTEMPT_LEASE_MS } from "@/lib/outbound-webhooks/deliver";
import { MATCH_WAIT_MS } from "@/lib/webhooks/process";

function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const v = Number(env[name]);
  return (Number.isFinite(v) && v > 0 ? v : fallback) * 1000;
}

/**
 * Each deadline is far past what the normal path can take, so only work whose run is gone is
 * caught: a message waits at most HERALD_BREAKER_MAX_WAIT_SECONDS (900) for a degraded route plus
 * its run's leases and retries; an outbound webhook attempt is overdue once its job is 15 minutes
 * late or its 60 s lease is 15 minutes gone; a call event publish retries ≈ 17 minutes, a call
 * command ≈ 1 minute, a communication event ≈ 4 minutes; a provider event waits
 * HERALD_WEBHOOK_MATCH_WAIT_MS (10 min) for its send; an inbound media download retries 8 times
 * with backoff, each attempt leased for at most 5 minutes.
 */
export function stuckDeadlinesMs(env: NodeJS.ProcessEnv = process.env): Record<StuckKind, number> {
  return {
    message: seconds(env, "HERALD_STUCK_MESSAGE_SECONDS", 3600),
    webhook_delivery: seconds(env, "HERALD_STUCK_WEBHOOK_DELIVERY_SECONDS", 15 * 60) + ATTEMPT_LEASE_MS,
    call_event: seconds(env, "HERALD_STUCK_CALL_EVENT_SECONDS", 30 * 60),
    call_command: seconds(env, "HERALD_STUCK_CALL_COMMAND_SECONDS", 15 * 60),
    communication_event: seconds(env, "HERALD_STUCK_COMMUNICATION_EVENT_SECONDS", 30 * 60),
    webhook_event: seconds(env, "HERALD_STUCK_WEBHOOK_EVENT_SECONDS", 30 * 60) + MATCH_WAIT_MS,
    inbound_media: seconds(env, "HERALD_STUCK_INBOUND_MEDIA_SECONDS", 2 * 3600),
    // Six attempts of a step leased 15 minutes each, plus backoff.
    kommo_sync: seconds(env, "HERALD_STUCK_KOMMO_SYNC_SECONDS", 2 * 3600),
  };
}

export function stuckCutoffs(now: Date = new Date(), env: NodeJS.ProcessEnv = process.env): StuckCutoffs {
  const d = stuckDeadlinesMs(env);
  return Object.fromEntries(Object.entries(d).map(([k, ms]) => [k, new Date(now.getTime() - ms)])) as StuckCutoffs;
}
