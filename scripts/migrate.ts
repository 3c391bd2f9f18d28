// `npm run db:migrate`: applies committed migrations to DATABASE_URL (or the embedded database).
import { logger } from "@/lib/logger";
import { bootDatabase } from "@/lib/server/boot";

const booted = await bootDatabase({ mode: "cli", seed: false, migrate: true });
logger.info("migrations applied");
await booted.embedded?.stop();
process.exit(0);
