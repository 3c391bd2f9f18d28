import { defineConfig } from "drizzle-kit";

// Generation reads only the schema; migrations are applied by db/migrate.ts (with a lock).
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema/index.ts",
  out: "./db/migrations",
  dbCredentials: { url: process.env.DATABASE_URL ?? "postgres://localhost:5432/herald" },
  strict: true,
});
