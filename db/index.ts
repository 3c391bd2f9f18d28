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

export async function closeDb(): Promise<void> {
  const g = globalThis as GlobalWithDb;
  const held = g[holderKey];
  if (!held) return;
  g[holderKey] = undefined;
  await held.sql.end({ timeout: 5 });
}

export { schema };
