import { countPendingMigrations, runMigrations } from "@/db/migrate";
import { logger } from "@/lib/logger";
import { findRunningEmbedded, startEmbeddedPostgres, type EmbeddedHandle } from "./embedded-postgres";
import { loadOrCreateLocalSecrets } from "./local-state";

export interface BootedDatabase {
  url: string;
  embedded?: EmbeddedHandle;
  /** Set when the demo owner was created by this boot (printed once). */
  seededOwner?: { email: string; password: string } | null;
}

/**
 * Everything a Herald process needs before it serves: secrets in the environment, a database
 * (DATABASE_URL, or the embedded default), migrations applied, and on a fresh embedded
 * database the demo tenant.
 */
export async function bootDatabase(opts: { mode: "app" | "worker" | "cli"; seed?: boolean; migrate?: boolean }): Promise<BootedDatabase> {
  const needsGenerated = !process.env.NEXTAUTH_SECRET || !process.env.HERALD_MASTER_KEY || !process.env.DATABASE_URL;
  if (needsGenerated) {
    const { secrets, created } = loadOrCreateLocalSecrets();
    if (!process.env.NEXTAUTH_SECRET) process.env.NEXTAUTH_SECRET = secrets.nextauthSecret;
    if (!process.env.HERALD_MASTER_KEY) {
      process.env.HERALD_MASTER_KEY = secrets.masterKey;
      if (created || opts.mode === "app") {
        logger.warn("HERALD_MASTER_KEY is not set: using the key generated in .data/secrets.json (set it in production)");
      }
    }
  }

  let embedded: EmbeddedHandle | undefined;
  if (!process.env.DATABASE_URL) {
    const running = opts.mode === "app" ? undefined : await findRunningEmbedded();
    if (running) {
      process.env.DATABASE_URL = running.url;
    } else {
      const { secrets } = loadOrCreateLocalSecrets();
      embedded = await startEmbeddedPostgres({ password: secrets.embeddedPassword, log: (m) => logger.warn(m) });
      process.env.DATABASE_URL = embedded.url;
      if (opts.mode === "app") logger.info("started the embedded PostgreSQL (data in .data/pg)");
    }
  }
  const url = process.env.DATABASE_URL!;
  // A fleet migrates once per deploy (`npm run db:migrate`); its processes only check.
  if (embedded || (opts.migrate ?? process.env.HERALD_MIGRATE_ON_START !== "false")) {
    await runMigrations(url);
  } else {
    const pending = await countPendingMigrations(url);
    if (pending > 0) throw new Error(`the database is ${pending} migration(s) behind this release: run \`npm run db:migrate\` first (HERALD_MIGRATE_ON_START=false)`);
  }

  let seededOwner: BootedDatabase["seededOwner"];
  const seed = opts.seed ?? (embedded !== undefined || process.env.HERALD_SEED_DEMO === "true");
  if (seed && opts.mode === "app") {
    const { seedDemoTenant } = await import("@/db/seed");
    const { generateOneTimePassword, hashPassword } = await import("@/lib/auth/passwords");
    seededOwner = await seedDemoTenant({ generatePassword: generateOneTimePassword, hashPassword });
  }
  return { url, embedded, seededOwner };
}
