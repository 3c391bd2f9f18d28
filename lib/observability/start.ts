import { startAlertRouter } from "@/lib/alerts/alert-router";
import { installErrorLogSink } from "./error-log-sink";

/**
 * At process start (the custom server's processes, `npm run worker`): Sentry when SENTRY_DSN is
 * set (the SDK is not even loaded otherwise), error-level log lines to Sentry and Slack, and the
 * Slack alert router.
 */
export async function startObservability(opts: { sendAlerts?: boolean } = {}): Promise<void> {
  if (process.env.SENTRY_DSN) (await import("./sentry-server")).initServerSentry();
  installErrorLogSink();
  // A cluster web process hands its alerts to the primary instead of sending them itself.
  if (opts.sendAlerts ?? true) startAlertRouter();
}
