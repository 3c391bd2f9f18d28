import { sql, eq, and } from "drizzle-orm";
import { getDb, closeDb } from "@/db";
import { jobSteps } from "@/db/schema";
import { createTestDatabase } from "@/lib/server/test-database";
const db0 = await createTestDatabase();
process.env.DATABASE_URL = db0.url;
const db = getDb();
async function measure(name: string, f: () => Promise<unknown>, n = 3000) {
  for (let i = 0; i < 300; i++) await f();
  const c0 = process.cpuUsage(); const t0 = performance.now();
  for (let i = 0; i < n; i++) await f();
  const c = process.cpuUsage(c0); const el = performance.now() - t0;
  console.log(`${name}: ${(el * 1000 / n).toFixed(0)} us wall, ${((c.user + c.system) / n).toFixed(0)} us cpu per query`);
}
await measure("execute select 1", () => db.execute(sql`select 1`));
await measure("drizzle select job_steps", () => db.select({ output: jobSteps.output }).from(jobSteps).where(and(eq(jobSteps.runId, "a"), eq(jobSteps.stepId, "b"))));
const raw = (db as any).$client;
await measure("raw postgres-js", () => raw`select 1`);
await closeDb(); await db0.drop(); process.exit(0);
