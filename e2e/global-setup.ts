import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createTestDatabase } from "../lib/server/test-database";
import { E2E_PORT, seedFile, type SeedState } from "./seed-state";

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tsx = path.join(root, "node_modules", ".bin", "tsx");

/** Runs the admin CLI exactly as an operator would; returns its stdout lines. */
async function admin(env: NodeJS.ProcessEnv, ...args: string[]): Promise<string[]> {
  const { stdout } = await run(tsx, ["scripts/admin.ts", ...args], { cwd: root, env: { ...env, LOG_LEVEL: "warn" } });
  return stdout.trim().split("\n");
}

async function waitForHealth(url: string, server: ChildProcess, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`Herald exited with code ${server.exitCode} before becoming healthy`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`Herald did not become healthy at ${url} within ${timeoutMs} ms`);
}

/**
 * Playwright global setup: a fresh database, Herald's production server on it, and test
 * tenants created through the admin CLI (so the CLI contract is exercised too).
 */
export default async function globalSetup() {
  const db = await createTestDatabase();
  const baseUrl = `http://127.0.0.1:${E2E_PORT}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: db.url,
    PORT: String(E2E_PORT),
    HOSTNAME_BIND: "127.0.0.1",
    NEXTAUTH_URL: baseUrl,
    NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? "e2e-only-nextauth-secret-0123456789abcdef",
    HERALD_MASTER_KEY: process.env.HERALD_MASTER_KEY ?? Buffer.alloc(32, 9).toString("base64"),
    HERALD_ALLOW_LOOPBACK_WEBHOOKS: "true",
    HERALD_PROVIDER_URL_ALLOW_HOSTS: "127.0.0.1,localhost",
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? "warn",
  };
  delete env.INNGEST_DEV;
  delete env.INNGEST_EVENT_KEY;

  const server = spawn(tsx, ["scripts/start.ts"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  // The server's log is passed through, and every unhandled error in it fails the run at the end:
  // a handler that throws answers 500 (which the specs see), but a page render, a background task
  // or Next itself can fail without any spec noticing.
  const unhandled: string[] = [];
  for (const [from, to] of [
    [server.stdout!, process.stdout],
    [server.stderr!, process.stderr],
  ] as const) {
    let partial = "";
    from.on("data", (chunk: Buffer) => {
      to.write(chunk);
      const lines = (partial + chunk.toString("utf8")).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) if (isUnhandledError(line)) unhandled.push(line.slice(0, 2000));
    });
  }
  try {
    await waitForHealth(baseUrl, server);

    const slugA = `e2e-a-${Date.now().toString(36)}`;
    const slugB = `e2e-b-${Date.now().toString(36)}`;
    await admin(env, "tenant:create", "--slug", slugA, "--name", "E2E Federation A");
    await admin(env, "tenant:create", "--slug", slugB, "--name", "E2E Federation B");
    const password = (lines: string[]) => lines.find((l) => l.startsWith("one-time password: "))!.slice(19);
    const owner = { email: `owner@${slugA}.test`, password: "" };
    const viewer = { email: `viewer@${slugA}.test`, password: "" };
    owner.password = password(await admin(env, "user:create", "--tenant", slugA, "--email", owner.email, "--role", "owner"));
    viewer.password = password(await admin(env, "user:create", "--tenant", slugA, "--email", viewer.email, "--role", "viewer"));
    // The owner of A is also a viewer of B, for the tenant switcher.
    await admin(env, "user:create", "--tenant", slugB, "--email", owner.email, "--role", "viewer");
    const keyLines = await admin(env, "api-key:create", "--tenant", slugB, "--name", "tenant-b-service", "--scopes", "messages:read,configs:read");
    const otherKey = keyLines.at(-1)!;
    const otherKeyId = /\(([0-9a-f-]{36})\)/.exec(keyLines.join("\n"))![1]!;

    const state: SeedState = { baseUrl, databaseUrl: db.url, tenantA: slugA, tenantB: slugB, owner, viewer, otherKey, otherKeyId };
    mkdirSync(path.dirname(seedFile), { recursive: true });
    writeFileSync(seedFile, JSON.stringify(state, null, 2), { mode: 0o600 });
  } catch (err) {
    server.kill("SIGTERM");
    await db.drop();
    throw err;
  }

  return async () => {
    const exited = new Promise((r) => server.once("exit", r));
    server.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    if (server.exitCode === null) server.kill("SIGKILL");
    await db.drop();
    if (unhandled.length > 0) {
      throw new Error(`the server logged ${unhandled.length} unhandled error(s) during the run:\n${unhandled.slice(0, 10).join("\n")}`);
    }
  };
}

/** A log line that reports an error nobody handled: Herald's error mapper, or Next's own "⨯" lines. */
function isUnhandledError(line: string): boolean {
  if (line.includes("unhandled error") || line.includes("uncaughtException") || line.includes("unhandledRejection")) return true;
  return line.trimStart().startsWith("⨯");
}
