// The process's Prometheus metrics (prom-client): one registry per process, kept on globalThis so
// the custom server (tsx) and Next's route bundles count into the same instruments.
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Latency buckets (seconds) for HTTP requests and provider calls: 5 ms … 30 s. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Lag buckets (seconds) for work waiting in an outbox: 10 ms … 30 min. */
const LAG_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800];

function build() {
  const registry = new Registry();
  // Process CPU, memory, GC and event-loop lag (nodejs_eventloop_lag_*), aggregated across web processes.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  const r = { registers: [registry] };
  return {
    registry,
    httpRequests: new Counter({
      ...r,
      name: "herald_http_requests_total",
      help: "HTTP requests answered, by route pattern (not the raw path), method and status",
      labelNames: ["route", "method", "status"] as const,
    }),
    httpDuration: new Histogram({
      ...r,
      name: "herald_http_request_duration_seconds",
      help: "Time from a request's arrival to the end of its response, by route pattern and method",
      labelNames: ["route", "method"] as const,
      buckets: LATENCY_BUCKETS,
    }),
    messagesAccepted: new Counter({
      ...r,
      name: "herald_messages_accepted_total",
      help: "Messages accepted by the send APIs (202), by channel and the first provider of their route",
      labelNames: ["channel", "provider"] as const,
    }),
    messagesSent: new Counter({
      ...r,
      name: "herald_messages_sent_total",
      help: "Messages that ended sent (a provider accepted them), by channel and provider",
      labelNames: ["channel", "provider"] as const,
    }),
    messagesFailed: new Counter({
      ...r,
      name: "herald_messages_failed_total",
      help: "Messages that ended failed, by channel, provider (none: no provider call) and Herald error code",
      labelNames: ["channel", "provider", "code"] as const,
    }),
    providerCallDuration: new Histogram({
      ...r,
      name: "herald_provider_call_duration_seconds",
      help: "Provider send calls, by provider and outcome (ok or the error kind)",
      labelNames: ["provider", "outcome"] as const,
      buckets: LATENCY_BUCKETS,
    }),
    webhookEventsReceived: new Counter({
      ...r,
      name: "herald_webhook_events_received_total",
      help: "Provider webhook events verified and recorded (duplicates included), by provider",
      labelNames: ["provider"] as const,
    }),
    webhookRequestsRejected: new Counter({
      ...r,
      name: "herald_webhook_requests_rejected_total",
      help: "Provider webhook requests refused, by provider and reason",
      labelNames: ["provider", "reason"] as const,
    }),
    brokerPublishLag: new Histogram({
      ...r,
      name: "herald_broker_publish_lag_seconds",
      help: "Time from a row's commit to RabbitMQ's publish confirm, by kind",
      labelNames: ["kind"] as const,
      buckets: LAG_BUCKETS,
    }),
    outboxRelayLag: new Histogram({
      ...r,
      name: "herald_outbox_relay_lag_seconds",
      help: "Time from an outbox event's commit to its hand-over to the job engine",
      buckets: LAG_BUCKETS,
    }),
    alertsRaised: new Counter({
      ...r,
      name: "herald_alerts_raised_total",
      help: "Operational alerts raised (before deduplication), by kind",
      labelNames: ["kind"] as const,
    }),
    alertMessages: new Counter({
      ...r,
      name: "herald_alert_messages_total",
      help: "Slack messages of alerts, by destination kind (deployment, tenant) and result (sent, retried, spooled, dropped)",
      labelNames: ["destination", "result"] as const,
    }),
  };
}

export type HeraldMetrics = ReturnType<typeof build>;

interface State {
  enabled: boolean;
  metrics?: HeraldMetrics;
}

const key = Symbol.for("herald.metrics");
type G = typeof globalThis & { [key]?: State };

/** The metrics endpoint's bearer token; unset = no endpoint and nothing is counted. */
export function metricsToken(env: NodeJS.ProcessEnv = process.env): string | null {
  const token = env.HERALD_METRICS_TOKEN?.trim();
  return token ? token : null;
}

function state(): State {
  const g = globalThis as G;
  if (!g[key]) g[key] = { enabled: metricsToken() !== null };
  return g[key];
}

/**
 * This process's instruments, or null when metrics are off (HERALD_METRICS_TOKEN unset): every
 * recording site then costs one property read. Decided once per process.
 */
export function processMetrics(): HeraldMetrics | null {
  const s = state();
  if (!s.enabled) return null;
  s.metrics ??= build();
  return s.metrics;
}
