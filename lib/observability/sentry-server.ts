// Sentry for the Node.js processes (the custom server, Next's server runtime, `npm run worker`).
import * as Sentry from "@sentry/nextjs";
import { sentryEnvironment, sentryRelease } from "./release";
import { setSentry, type SentryFacade } from "./sentry";
import { scrubbedSentryOptions } from "./sentry-scrub";

/**
 * The default integrations that report errors or describe the process. Without tracing
 * (SENTRY_TRACES_SAMPLE_RATE 0, the default) the others — OpenTelemetry instrumentation of HTTP,
 * fetch, Postgres, RabbitMQ and a dozen frameworks Herald does not use — would only cost time on
 * every request and query; Herald scopes each request itself (withRoute).
 */
const ERROR_INTEGRATIONS = new Set([
  "EventFilters",
  "FunctionToString",
  "LinkedErrors",
  "Dedupe",
  "RequestData",
  "NodeSystemError",
  "OnUncaughtException",
  "OnUnhandledRejection",
  "ContextLines",
  "Context",
  "ChildProcess",
  "WorkerThreads",
  "Modules",
]);

/** Initialises the SDK once per process when SENTRY_DSN is set; false (and no network) otherwise. */
export function initServerSentry(opts: { dsn?: string } = {}): boolean {
  const dsn = opts.dsn ?? process.env.SENTRY_DSN;
  if (!dsn) return false;
  if (!Sentry.getClient()) {
    const options = scrubbedSentryOptions();
    Sentry.init({
      dsn,
      release: sentryRelease(),
      environment: sentryEnvironment(),
      ...options,
      integrations: (defaults) => (options.tracesSampleRate > 0 ? defaults : defaults.filter((i) => ERROR_INTEGRATIONS.has(i.name))),
    });
  }
  setSentry(Sentry as unknown as SentryFacade);
  return true;
}
