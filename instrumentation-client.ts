// Next.js loads this file from the project root in the browser (a layout deviation Next
// requires). The browser SDK is fetched only when the build has a DSN (NEXT_PUBLIC_SENTRY_DSN,
// default SENTRY_DSN at build time); without one nothing is loaded and nothing is sent.
type TransitionHook = (href: string, navigationType: string) => void;

let onTransition: TransitionHook | undefined;
const dsn = process.env.NEXT_PUBLIC_SENTRY_DSN;
if (dsn) {
  void import("./lib/observability/sentry-client").then(({ initBrowserSentry }) => {
    onTransition = initBrowserSentry(dsn);
  });
}

export function onRouterTransitionStart(href: string, navigationType: string) {
  onTransition?.(href, navigationType);
}
