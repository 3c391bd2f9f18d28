// Where bus ingress listens and how it paces itself, from the environment (read on each call, so tests can set them).
import { positiveNumberEnv } from "@/lib/env";

export interface BusSettings {
  /** Topic exchange the Action service publishes `action.execute.requested.v1` to. */
  exchange: string;
  /** Each binding's queue is `<queuePrefix>.<key>`. */
  queuePrefix: string;
  /** Each binding's routing key is `<routingKeyPrefix>.<key>`. */
  routingKeyPrefix: string;
  /** Where refused (poison) actions go, with their reason in a header. */
  deadLetterQueue: string;
  /** Unacknowledged deliveries per binding queue: the broker stops sending past this (back-pressure). */
  prefetch: number;
  /** Deliveries accepted together in one send batch (one statement). */
  batch: number;
  /** How long a partial batch waits for more before it is accepted. */
  lingerMs: number;
  /** Transient failures (database down) hold the deliveries this long, doubling to the max, then requeue them. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Reconnect backoff after the broker drops the connection. */
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  /** How often bindings changed by another process are picked up. */
  syncMs: number;
}

export function busSettings(env: NodeJS.ProcessEnv = process.env): BusSettings {
  const n = (name: string, fallback: number) => positiveNumberEnv(name, fallback, env);
  const queuePrefix = env.HERALD_ACTIONS_QUEUE || "herald.actions";
  return {
    exchange: env.HERALD_ACTIONS_EXCHANGE || "qapu.action",
    queuePrefix,
    routingKeyPrefix: env.HERALD_ACTIONS_ROUTING_KEY || "action.execute.requested.v1",
    deadLetterQueue: env.HERALD_ACTIONS_DLQ || `${queuePrefix}.dlq`,
    prefetch: Math.floor(n("HERALD_ACTIONS_PREFETCH", 500)),
    batch: Math.floor(n("HERALD_ACTIONS_BATCH", 250)),
    lingerMs: n("HERALD_ACTIONS_LINGER_MS", 20),
    retryBaseMs: n("HERALD_ACTIONS_RETRY_BASE_MS", 1_000),
    retryMaxMs: n("HERALD_ACTIONS_RETRY_MAX_MS", 30_000),
    reconnectBaseMs: n("HERALD_ACTIONS_RECONNECT_BASE_MS", 500),
    reconnectMaxMs: n("HERALD_ACTIONS_RECONNECT_MAX_MS", 30_000),
    syncMs: n("HERALD_ACTIONS_SYNC_MS", 5_000),
  };
}

/** HERALD_ACTIONS=off turns bus ingress off in this process (it is on wherever the broker is). */
export function busIngressEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.HERALD_ACTIONS !== "off";
}

export function bindingQueue(key: string, s: BusSettings = busSettings()): string {
  return `${s.queuePrefix}.${key}`;
}

export function bindingRoutingKey(key: string, s: BusSettings = busSettings()): string {
  return `${s.routingKeyPrefix}.${key}`;
}
