// `npm test`: the whole suite — types, lint, unit/integration (vitest), production build, e2e (Playwright).
import { spawnSync } from "node:child_process";

const steps: [string, string[]][] = [
  ["typecheck", ["npx", "tsc", "--noEmit", "-p", "tsconfig.json"]],
  ["lint", ["npx", "eslint", "--config", "scripts/eslint.config.mjs", "--max-warnings", "0", "."]],
  ["unit and integration tests", ["npx", "vitest", "run", "--config", "scripts/vitest.config.ts"]],
  ["production build", ["npx", "next", "build"]],
  ["end-to-end tests", ["npx", "playwright", "test"]],
];

const only = process.argv.slice(2);
for (const [label, [cmd, ...args]] of steps) {
  if (only.length > 0 && !only.some((o) => label.startsWith(o))) continue;
  const started = Date.now();
  process.stdout.write(`\n=== ${label} ===\n`);
  const res = spawnSync(cmd!, args, { stdio: "inherit", env: process.env });
  process.stdout.write(`=== ${label}: ${res.status === 0 ? "ok" : "FAILED"} in ${Math.round((Date.now() - started) / 1000)} s ===\n`);
  if (res.status !== 0) process.exit(res.status ?? 1);
}
