// `npm test`: the whole suite — types, lint, unit/integration (vitest), the crash test, production build, the fleet test, e2e (Playwright).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";

const reports = ".data/test-reports";
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });

const steps: [string, string[]][] = [
  ["typecheck", ["npx", "tsc", "--noEmit", "-p", "tsconfig.json"]],
  ["lint", ["npx", "eslint", "--config", "scripts/eslint.config.mjs", "--max-warnings", "0", "."]],
  [
    "unit and integration tests",
    ["npx", "vitest", "run", "--config", "scripts/vitest.config.ts", "--reporter=default", "--reporter=json", `--outputFile.json=${reports}/vitest.json`],
  ],
  // SIGKILLs a real worker twice mid-delivery (200 messages; about 2–3 minutes, most of it the
  // 60 s lease after which pg-boss re-runs a dead worker's jobs).
  ["crash test", ["npx", "tsx", "scripts/crash-deliver.ts"]],
  ["production build", ["npx", "next", "build"]],
  // Two web processes and two workers on one database (the systemd layout), on the build above:
  // revocation, routing and cache propagation, the per-key limit across both, a web process
  // killed mid-request, one event per message, singletons once (about a minute).
  ["fleet test", ["npx", "tsx", "scripts/fleet-test.ts", "--short"]],
  ["end-to-end tests", ["npx", "playwright", "test"]],
];

const only = process.argv.slice(2);
for (const [label, [cmd, ...args]] of steps) {
  if (only.length > 0 && !only.some((o) => label.startsWith(o))) continue;
  const started = Date.now();
  process.stdout.write(`\n=== ${label} ===\n`);
  const res = spawnSync(cmd!, args, { stdio: "inherit", env: process.env });
  process.stdout.write(`=== ${label}: ${res.status === 0 ? "ok" : "FAILED"} in ${Math.round((Date.now() - started) / 1000)} s ===\n`);
  if (res.status !== 0) {
    summary();
    process.exit(res.status ?? 1);
  }
}
summary();

/** One closing line over both runners: `tests: N passed, N failed`. */
function summary() {
  let passed = 0;
  let failed = 0;
  const vitest = `${reports}/vitest.json`;
  if (existsSync(vitest)) {
    const r = JSON.parse(readFileSync(vitest, "utf8")) as { numPassedTests: number; numFailedTests: number };
    passed += r.numPassedTests;
    failed += r.numFailedTests;
  }
  const pw = `${reports}/playwright.json`;
  if (existsSync(pw)) {
    const r = JSON.parse(readFileSync(pw, "utf8")) as { stats: { expected: number; unexpected: number; flaky: number } };
    passed += r.stats.expected + r.stats.flaky;
    failed += r.stats.unexpected;
  }
  process.stdout.write(`\ntests: ${passed} passed, ${failed} failed\n`);
}
