import { readFileSync } from "node:fs";
import path from "node:path";

/**
 * The release Sentry groups errors by: SENTRY_RELEASE, else `herald@<version>+<build id>` — inlined
 * into Next's bundles at build (HERALD_RELEASE, next.config.mjs), read from the build for the
 * processes tsx runs (the primary, `npm run worker`).
 */
export function sentryRelease(root = process.cwd()): string | undefined {
  if (process.env.SENTRY_RELEASE) return process.env.SENTRY_RELEASE;
  if (process.env.HERALD_RELEASE) return process.env.HERALD_RELEASE;
  try {
    const version = (JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { version: string }).version;
    const build = readFileSync(path.join(root, ".next", "BUILD_ID"), "utf8").trim();
    return `herald@${version}+${build}`;
  } catch {
    return undefined;
  }
}

export function sentryEnvironment(): string {
  return process.env.SENTRY_ENVIRONMENT || process.env.NODE_ENV || "production";
}
