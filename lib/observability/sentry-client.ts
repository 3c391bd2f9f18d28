// Sentry in the browser: loaded by instrumentation-client.ts only when the build has a DSN.
import * as Sentry from "@sentry/nextjs";
import { scrubbedSentryOptions } from "./sentry-scrub";

export function initBrowserSentry(dsn: string): typeof Sentry.captureRouterTransitionStart {
  Sentry.init({ dsn, release: process.env.HERALD_RELEASE, environment: process.env.NEXT_PUBLIC_SENTRY_ENVIRONMENT, ...scrubbedSentryOptions(), tracesSampleRate: 0 });
  return Sentry.captureRouterTransitionStart;
}
