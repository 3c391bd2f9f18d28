// raiseAlert(): the one entry point for operational alerts. It returns at once — the alert is
// routed, deduplicated, batched and sent to Slack on a background loop (lib/alerts/alert-router.ts,
// started with the process), never on the caller's path.
import cluster from "node:cluster";
import { logger } from "@/lib/logger";
import { countAlertRaised } from "@/lib/metrics/record";
import type { Alert } from "./alert";

export type { Alert, AlertKind, AlertSeverity } from "./alert";

const IPC_ALERT = "herald:alert";

// The router this process started (on globalThis: route bundles raise into the same one). Absent
// in a process that started none (the admin CLI, most tests): alerts are then only counted.
const key = Symbol.for("herald.alertSink");
type G = typeof globalThis & { [key]?: { sink?: (a: Alert) => void; primaryListening?: boolean } };
const state = () => ((globalThis as G)[key] ??= {});

export function setAlertSink(sink: ((a: Alert) => void) | undefined): void {
  state().sink = sink;
}

/**
 * Raises an operational alert: to the deployment's Slack webhook (HERALD_SLACK_WEBHOOK_URL) and,
 * for a tenant's alert, to the tenant's own webhook. Returns at once and never throws. In a
 * cluster web process the alert is handed to the primary, so each webhook has one sender.
 */
export function raiseAlert(alert: Alert): void {
  try {
    countAlertRaised(alert.kind);
    if (cluster.isWorker && process.send && process.env.HERALD_WEB_WORKER === "1") {
      process.send({ type: IPC_ALERT, alert });
      return;
    }
    state().sink?.(alert);
  } catch (err) {
    // An alert must never break its caller; warn (an error line would raise another alert).
    logger.warn({ err }, "could not raise an alert");
  }
}

/** In the cluster primary: take the web processes' alerts. */
export function receiveAlertsAsPrimary(): void {
  const s = state();
  if (s.primaryListening || !cluster.isPrimary) return;
  s.primaryListening = true;
  cluster.on("message", (_worker, msg: { type?: string; alert?: Alert }) => {
    if (msg?.type === IPC_ALERT && msg.alert) raiseAlert(msg.alert);
  });
}
