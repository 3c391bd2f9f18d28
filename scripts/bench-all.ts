// `npm run bench:all`: the hot-path benches of issue 23 in sequence (send, deliver, webhooks, call
// events), each in its own process, then one summary table built from their `BENCH_RESULT` lines:
// every figure beside its ceiling from the same run, p50/p99, the target and PASS/FAIL.
//
//   BENCH_QUICK (default 1 here)  reduced sizes, a few minutes in all; BENCH_QUICK=0 for full runs
//   BENCH_ONLY=send,deliver       a subset
// Needs a production build (`npx next build`), Postgres (TEST_DATABASE_URL) and RabbitMQ.
import { spawn } from "node:child_process";
import os from "node:os";
import readline from "node:readline";
import { RESULT_PREFIX, type BenchResult } from "./bench-result";
import { requireBuild, root } from "./bench-server";

const benches = ["send", "deliver", "webhooks", "call-events"] as const;
const only = process.env.BENCH_ONLY?.split(",").map((s) => s.trim());
const env = { ...process.env, BENCH_QUICK: process.env.BENCH_QUICK ?? "1", LOG_LEVEL: process.env.LOG_LEVEL ?? "warn" };

function runBench(name: string): Promise<{ results: BenchResult[]; code: number; seconds: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, ["--import", "tsx", `scripts/bench-${name}.ts`], { cwd: root, env, stdio: ["ignore", "pipe", "inherit"] });
  const results: BenchResult[] = [];
  readline.createInterface({ input: child.stdout! }).on("line", (line) => {
    if (line.startsWith(RESULT_PREFIX)) results.push(JSON.parse(line.slice(RESULT_PREFIX.length)) as BenchResult);
    else console.log(`  [${name}] ${line}`);
  });
  return new Promise((resolve) => child.on("exit", (code) => resolve({ results, code: code ?? 1, seconds: (performance.now() - started) / 1000 })));
}

const num = (n: number | undefined, digits = 0) => (n === undefined || !Number.isFinite(n) ? "–" : n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }));

/** Two decimals for small figures (CPU milliseconds), none for rates. */
const small = (n: number) => (Math.abs(n) < 10 && !Number.isInteger(n) ? 2 : 0);

function row(r: BenchResult) {
  return [
    r.path,
    `${num(r.figure, small(r.figure))} ${r.unit}`,
    r.ceiling ? `${num(r.ceiling.figure, small(r.ceiling.figure))} ${r.ceiling.unit} (${r.ceiling.name})` : "–",
    r.ratio === undefined ? "–" : `${num(r.ratio * 100, r.ratio < 0.1 ? 1 : 0)} %`,
    r.p50 === undefined ? "–" : `${num(r.p50, 1)} / ${num(r.p99, 1)} ms`,
    r.target,
    r.pass ? "PASS" : "FAIL",
  ];
}

async function main() {
  requireBuild();
  const started = performance.now();
  const rows: string[][] = [];
  for (const name of benches) {
    if (only && !only.includes(name)) continue;
    console.log(`\n=== bench:${name}${env.BENCH_QUICK === "1" ? " (quick)" : ""}`);
    const { results, code, seconds } = await runBench(name);
    console.log(`=== bench:${name} done in ${seconds.toFixed(0)} s (exit ${code})`);
    rows.push(...results.map(row));
    if (code !== 0) rows.push([`bench:${name} itself`, `exit ${code}`, "–", "–", "–", "exit 0", "FAIL"]);
  }
  const header = ["path", "figure", "ceiling (same run)", "ratio", "p50 / p99", "target", "verdict"];
  const total = (performance.now() - started) / 1000;
  console.log(`\nbench:all — ${new Date().toISOString()}, ${os.cpus().length} cores, ${env.BENCH_QUICK === "1" ? "quick sizes" : "full sizes"}, ${total.toFixed(0)} s`);
  console.log(`| ${header.join(" | ")} |`);
  console.log(`|${header.map(() => "---").join("|")}|`);
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
  const failed = rows.filter((r) => r.at(-1) === "FAIL").length;
  console.log(`\n${rows.length - failed} PASS, ${failed} FAIL`);
  // Failing targets are findings, not errors; a bench that crashed is.
  process.exit(rows.some((r) => r[0]!.endsWith("itself")) ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
