import { sql } from "drizzle-orm";
import { getDb } from "@/db";
import { brokerHealth } from "@/lib/broker/rabbitmq";
import { jobEngineHealth } from "@/lib/jobs/job-engine";

export interface Health {
  status: "ok" | "degraded";
  db: { status: "ok" | "down"; latency_ms?: number; error?: string };
  jobs: { status: "ok" | "down"; engine: string; error?: string };
  /**
   * Informational: with RabbitMQ down Herald still accepts and logs everything (outboxes), so
   * it does not make the service unhealthy; it shows why events are waiting.
   */
  broker: { status: "ok" | "down"; error?: string };
  /** Names the parts that are down, so a 503 says what to look at. */
  down: string[];
}

export async function checkHealth(): Promise<Health> {
  const started = performance.now();
  const db = await Promise.race([
    getDb()
      .execute(sql`select 1`)
      .then(() => ({ status: "ok" as const, latency_ms: Math.round(performance.now() - started) })),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timed out after 2 s")), 2000)),
  ]).catch((err: unknown) => ({ status: "down" as const, error: err instanceof Error ? err.message : "unreachable" }));
  const engine = await jobEngineHealth();
  const jobs = engine.ok
    ? { status: "ok" as const, engine: engine.engine }
    : { status: "down" as const, engine: engine.engine, error: engine.detail };
  const broker = await Promise.race([
    brokerHealth().then((b) => (b.ok ? { status: "ok" as const } : { status: "down" as const, error: b.detail })),
    new Promise<{ status: "down"; error: string }>((resolve) =>
      setTimeout(() => resolve({ status: "down", error: "timed out after 2 s" }), 2000),
    ),
  ]);
  const down = [db.status === "down" ? "db" : null, jobs.status === "down" ? "jobs" : null].filter((x): x is string => x !== null);
  return { status: down.length === 0 ? "ok" : "degraded", db, jobs, broker, down };
}
