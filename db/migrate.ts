import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";

const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");

// Any fixed number works; it only has to be the same in every process that migrates.
const MIGRATION_LOCK_ID = 7_041_977;

/**
 * Applies committed drizzle-kit migrations. An advisory lock makes concurrent starters
 * (app + worker + admin CLI) take turns instead of racing on the same DDL.
 */
export async function runMigrations(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
    try {
      await migrate(drizzle(sql), { migrationsFolder });
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`;
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * How many committed migrations the database has not applied yet (drizzle's migrator applies
 * every journal entry newer than the newest one it recorded). For processes started with
 * HERALD_MIGRATE_ON_START=false, which refuse to run against an older schema.
 */
export async function countPendingMigrations(url: string): Promise<number> {
  const journal = JSON.parse(readFileSync(path.join(migrationsFolder, "meta", "_journal.json"), "utf8")) as { entries: { when: number }[] };
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [table] = await sql<{ exists: boolean }[]>`select to_regclass('drizzle.__drizzle_migrations') is not null as exists`;
    if (!table?.exists) return journal.entries.length;
    const [row] = await sql<{ last: string | null }[]>`select max(created_at)::text as last from drizzle.__drizzle_migrations`;
    const last = Number(row?.last ?? 0);
    return journal.entries.filter((e) => e.when > last).length;
  } finally {
    await sql.end({ timeout: 5 });
  }
}
