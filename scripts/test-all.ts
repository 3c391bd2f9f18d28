// `npm test`: the whole suite — types, lint, unit/integration (vitest), the crash test, production build, the fleet test, e2e (Playwright).
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";

const reports = ".data/test-reports";
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });

type Step = [label: string, command: string[]];

// Steps in a group run at the same time: each pair is CPU-bound on one core (tsc and ESLint), or
// one of them mostly waits (the crash test sits out pg-boss's 60 s lease twice while the build
// compiles). Their output is kept and printed when the group is done, one step after the other.
const groups: Step[][] = [
  [
    ["typecheck", ["npx", "tsc", "--noEmit", "-p", "tsconfig.json"]],
    ["lint", ["npx", "eslint", "--config", "scripts/eslint.config.mjs", "--max-warnings", "0", "."]],
  ],
  [
    [
      "unit and integration tests",
      ["npx", "vitest", "run", "--config", "scripts/vitest.config.ts", "--reporter=default", "--reporter=json", `--outputFile.json=${reports}/vitest.json`],
    ],
  ],
  [
    // SIGKILLs a real worker twice mid-delivery (200 messages; about 2–3 minutes, most of it the
    // 60 s lease after which pg-boss re-runs a dead worker's jobs).
    ["crash test", ["npx", "tsx", "scripts/crash-deliver.ts"]],
    ["production build", ["npx", "next", "build"]],
  ],
  // Two web processes and two workers on one database (the systemd layout), on the build above:
  // revocation, routing and cache propagation, the per-key limit across both, a web process
  // killed mid-request, one event per message, singletons once (about a minute).
  [["fleet test", ["npx", "tsx", "scripts/fleet-test.ts", "--short"]]],
  [["end-to-end tests", ["npx", "playwright", "test"]]],
];

const only = process.argv.slice(2);
const wanted = (label: string) => only.length === 0 || only.some((o) => label.startsWith(o));

function run([label, [cmd, ...args]]: Step, live: boolean): Promise<{ label: string; ok: boolean; seconds: number; log?: string }> {
  const started = Date.now();
  const logFile = `${reports}/${label.replace(/\W+/g, "-")}.log`;
  return new Promise((resolve) => {
    const out = live ? "inherit" : openSync(logFile, "w");
    const child = spawn(cmd!, args, { stdio: ["ignore", out, out], env: process.env });
    const done = (ok: boolean) => {
      if (typeof out === "number") closeSync(out);
      resolve({ label, ok, seconds: Math.round((Date.now() - started) / 1000), log: live ? undefined : logFile });
    };
    child.on("error", () => done(false));
    child.on("exit", (code) => done(code === 0));
  });
}

for (const group of groups) {
  const steps = group.filter(([label]) => wanted(label));
  if (steps.length === 0) continue;
  process.stdout.write(`\n=== ${steps.map(([l]) => l).join(" + ")} ===\n`);
  const results = await Promise.all(steps.map((step) => run(step, steps.length === 1)));
  let failed = false;
  for (const r of results) {
    if (r.log) process.stdout.write(`\n--- ${r.label} ---\n${readFileSync(r.log, "utf8")}`);
    process.stdout.write(`=== ${r.label}: ${r.ok ? "ok" : "FAILED"} in ${r.seconds} s ===\n`);
    failed ||= !r.ok;
  }
  if (failed) {
    summary();
    process.exit(1);
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
