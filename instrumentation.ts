// Next.js loads this file from the project root (a layout deviation Next requires): Sentry for
// the server and edge runtimes, and errors Next itself catches (server components, routes).
// Nothing is loaded and nothing is sent unless SENTRY_DSN is set; the work is in lib/observability/.
import type { Instrumentation } from "next";

export async function register() {
  if (!process.env.SENTRY_DSN) return;
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const [{ initServerSentry }, { installErrorLogSink }] = await Promise.all([
      import("./lib/observability/sentry-server"),
      import("./lib/observability/error-log-sink"),
    ]);
    initServerSentry();
    installErrorLogSink();
  } else if (process.env.NEXT_RUNTIME === "edge") {
    (await import("./lib/observability/sentry-edge")).initEdgeSentry();
  }
}

export const onRequestError: Instrumentation.onRequestError = async (err, request, context) => {
  if (!process.env.SENTRY_DSN) return;
  const Sentry = await import("@sentry/nextjs");
  Sentry.captureRequestError(err, request, context);
};
