// Recording sites for the domain metrics. Each is a no-op (one property read) when metrics are off.
import { processMetrics } from "./registry";

export function countMessagesAccepted(rows: readonly { channel: string; provider?: string | null }[]): void {
  const m = processMetrics();
  if (!m) return;
  for (const r of rows) m.messagesAccepted.inc({ channel: r.channel, provider: r.provider ?? "none" });
}

export function countMessageOutcome(outcome: "sent" | "failed", m0: { channel: string; provider: string | null; code?: string | null }): void {
  const m = processMetrics();
  if (!m) return;
  const provider = m0.provider ?? "none";
  if (outcome === "sent") m.messagesSent.inc({ channel: m0.channel, provider });
  else m.messagesFailed.inc({ channel: m0.channel, provider, code: m0.code ?? "unknown" });
}

export function observeProviderCall(provider: string, outcome: string, latencyMs: number): void {
  processMetrics()?.providerCallDuration.observe({ provider, outcome }, latencyMs / 1000);
}

export function countWebhookEvents(provider: string, events: number): void {
  processMetrics()?.webhookEventsReceived.inc({ provider }, events);
}

export function countWebhookRejected(provider: string, reason: string): void {
  processMetrics()?.webhookRequestsRejected.inc({ provider, reason });
}

export function observeBrokerPublishLag(kind: string, lagSeconds: readonly number[]): void {
  const m = processMetrics();
  if (!m) return;
  for (const s of lagSeconds) m.brokerPublishLag.observe({ kind }, Math.max(0, s));
}

export function observeOutboxRelayLag(createdAt: readonly Date[], now = Date.now()): void {
  const m = processMetrics();
  if (!m) return;
  for (const c of createdAt) m.outboxRelayLag.observe(Math.max(0, (now - c.getTime()) / 1000));
}

export function countAlertRaised(kind: string): void {
  processMetrics()?.alertsRaised.inc({ kind });
}

export function countAlertMessages(destination: "deployment" | "tenant", result: "sent" | "retried" | "spooled" | "dropped", n = 1): void {
  if (n > 0) processMetrics()?.alertMessages.inc({ destination, result }, n);
}
