// Sentry for Next's edge runtime (middleware or edge routes, should any appear).
import * as Sentry from "@sentry/nextjs";
import { setSentry, type SentryFacade } from "./sentry";
import { scrubbedSentryOptions } from "./sentry-scrub";

export function initEdgeSentry(): boolean {
  const dsn = process.env.SENTRY_DSN;
  if (!dsn) return false;
  Sentry.init({
    dsn,
    release: process.env.SENTRY_RELEASE || process.env.HERALD_RELEASE,
    environment: process.env.SENTRY_ENVIRONMENT || process.env.NODE_ENV,
    ...scrubbedSentryOptions(),
  });
  setSentry(Sentry as unknown as SentryFacade);
  return true;
}
