import { randomBytes } from "node:crypto";
import path from "node:path";
import postgres from "postgres";
import { runMigrations } from "@/db/migrate";
import { findRunningEmbedded, startEmbeddedPostgres, type EmbeddedHandle } from "./embedded-postgres";
import { dataDir, loadOrCreateLocalSecrets } from "./local-state";

/**
 * A fresh, migrated database for one test run, on the server named by TEST_DATABASE_URL or
 * DATABASE_URL — or, with neither, on an embedded Postgres under .data/test. Refuses a
 * non-local server so a test run can never touch production.
 */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  let adminUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  let embedded: EmbeddedHandle | undefined;
  if (!adminUrl) {
    const dir = path.join(dataDir(), "test");
    const running = await findRunningEmbedded(dir);
    if (running) adminUrl = running.url;
    else {
      const { secrets } = loadOrCreateLocalSecrets();
      embedded = await startEmbeddedPostgres({ password: secrets.embeddedPassword, dir, database: "postgres" });
      adminUrl = embedded.url;
    }
  }
  const host = new URL(adminUrl).hostname;
  if (!["localhost", "127.0.0.1", "::1", "[::1]"].includes(host) && process.env.HERALD_ALLOW_REMOTE_TEST_DB !== "true") {
    throw new Error(`refusing to run tests against a non-local database host (${host})`);
  }
  const name = `herald_test_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await runMigrations(url.toString());
  return {
    url: url.toString(),
    async drop() {
      await admin.unsafe(`drop database if exists "${name}" with (force)`).catch(() => {});
      await admin.end({ timeout: 2 });
      await embedded?.stop();
    },
  };
}

/**
 * A copy of an already-migrated template database (CREATE DATABASE … TEMPLATE): how each test
 * file gets a database of its own in a fraction of a migration's time.
 */
export async function cloneTestDatabase(templateUrl: string, label: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const template = new URL(templateUrl);
  const templateName = template.pathname.slice(1);
  const adminUrl = new URL(templateUrl);
  adminUrl.pathname = "/postgres";
  const name = `${templateName}_${label}_${randomBytes(3).toString("hex")}`.slice(0, 63);
  const admin = postgres(adminUrl.toString(), { max: 1, onnotice: () => {} });
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.unsafe(`create database "${name}" template "${templateName}"`);
      break;
    } catch (err) {
      // Two copies starting at the same instant can briefly see each other on the template.
      if (attempt >= 20 || !String(err).includes("being accessed by other users")) throw err;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
  const url = new URL(templateUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.unsafe(`drop database if exists "${name}" with (force)`).catch(() => {});
      await admin.end({ timeout: 2 });
    },
  };
}
