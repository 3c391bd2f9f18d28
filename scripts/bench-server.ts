// Shared by the webhook and metrics benchmarks: a fresh database and the production server on it.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export function requireBuild() {
  if (!existsSync(path.join(root, ".next", "BUILD_ID"))) {
    console.error("No production build: run `npx next build` first (this benchmark measures the built server).");
    process.exit(2);
  }
}

export function httpRequest(agent: http.Agent, port: number, method: string, p: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, method, path: p, agent, headers: body ? { "content-length": Buffer.byteLength(body), ...headers } : headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

export function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** `scripts/start.ts` (through tsx) on `databaseUrl`, in its own process group; resolves once it answers. */
export async function startServer(opts: { port: number; databaseUrl: string; env?: Record<string, string> }) {
  // BENCH_SERVER_CPU_PROF=<dir>: the server writes a V8 CPU profile there when it stops (to see where its time went).
  const prof = process.env.BENCH_SERVER_CPU_PROF;
  const child: ChildProcess = spawn(process.execPath, [...(prof ? ["--cpu-prof", `--cpu-prof-dir=${prof}`] : []), "--import", "tsx", "scripts/start.ts"], {
    cwd: root,
    env: { ...process.env, PORT: String(opts.port), DATABASE_URL: opts.databaseUrl, NODE_ENV: "production", HERALD_SEED_DEMO: "false", LOG_LEVEL: "warn", ...opts.env },
    stdio: ["ignore", process.env.BENCH_SERVER_LOG ? "inherit" : "ignore", "inherit"],
    detached: true,
  });
  const agent = new http.Agent({ keepAlive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode}`);
    try {
      if ((await httpRequest(agent, opts.port, "GET", "/api/bench/noop")).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error("the server did not become ready within 120 s");
    await new Promise((r) => setTimeout(r, 500));
  }
  agent.destroy();
  return {
    async stop() {
      const signal = (s: NodeJS.Signals) => {
        try {
          if (child.pid) process.kill(-child.pid, s);
        } catch {
          // already gone
        }
      };
      if (child.exitCode === null) {
        signal("SIGTERM");
        await Promise.race([new Promise((r) => child.once("exit", r)), new Promise((r) => setTimeout(r, 10_000))]);
        signal("SIGKILL");
      }
    },
  };
}
