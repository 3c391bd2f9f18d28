import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema";

export type Db = PostgresJsDatabase<typeof schema> & { $client: postgres.Sql };
/** A transaction handle or the database itself: queries that must join a caller's transaction take this. */
export type DbOrTx = Db | Parameters<Parameters<Db["transaction"]>[0]>[0];

interface DbHolder {
  url: string;
  sql: postgres.Sql;
  db: Db;
}

// One pool per process, kept on globalThis so Next's dev reloads don't open a new pool per edit.
const holderKey = Symbol.for("herald.db");
type GlobalWithDb = typeof globalThis & { [holderKey]?: DbHolder };

export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new Error(
      "DATABASE_URL is not set. Start Herald with `npm start` (which boots the embedded Postgres) or set DATABASE_URL.",
    );
  }
  return url;
}

export function getDb(): Db {
  const g = globalThis as GlobalWithDb;
  const url = databaseUrl();
  const held = g[holderKey];
  if (held && held.url === url) return held.db;
  const sql = postgres(url, {
    max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
    onnotice: () => {},
    connection: { application_name: "herald" },
  });
  const db = drizzle(sql, { schema }) as Db;
  g[holderKey] = { url, sql, db };
  return db;
}

// Connections opened beside the pool (LISTEN): closed with it.
const closersKey = Symbol.for("herald.dbClosers");
type GlobalWithClosers = typeof globalThis & { [closersKey]?: Set<{ stop(): Promise<void> }> };

/** Registers something holding its own connection, to be stopped by closeDb(); returns the unregister. */
export function registerForClose(closer: { stop(): Promise<void> }): () => void {
  const g = globalThis as GlobalWithClosers;
  const set = (g[closersKey] ??= new Set());
  set.add(closer);
  return () => set.delete(closer);
}

export async function closeDb(): Promise<void> {
  const g = globalThis as GlobalWithDb;
  const closers = (globalThis as GlobalWithClosers)[closersKey];
  if (closers) {
    const all = [...closers];
    closers.clear();
    await Promise.all(all.map((c) => c.stop().catch(() => {})));
  }
  const held = g[holderKey];
  if (!held) return;
  g[holderKey] = undefined;
  await held.sql.end({ timeout: 5 });
}

export { schema };

/** SQLSTATEs after which the same transaction, run again, can succeed: deadlock, serialization failure. */
const TRANSIENT_CODES = new Set(["40P01", "40001"]);

export function isTransientDbError(err: unknown): boolean {
  for (let c: unknown = err, d = 0; c && typeof c === "object" && d < 5; c = (c as { cause?: unknown }).cause, d++) {
    if (TRANSIENT_CODES.has(String((c as { code?: unknown }).code))) return true;
  }
  return false;
}

/**
 * Runs a short transaction again (up to `attempts` times, with a small jittered pause) when the
 * database aborted it as a deadlock victim or a serialization failure; any other error, or the
 * last transient one, is thrown as it came.
 */
export async function withTransientRetry<T>(fn: () => Promise<T>, attempts = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts || !isTransientDbError(err)) throw err;
      await new Promise((r) => setTimeout(r, 10 * i + Math.random() * 20));
    }
  }
}
