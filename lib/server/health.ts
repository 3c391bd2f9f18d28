import { sql } from "drizzle-orm";
import { getDb } from "@/db";
import { brokerHealth } from "@/lib/broker/rabbitmq";
import { busConsumerHealth, type BusHealth } from "@/lib/bus/consumer";
import { processBus } from "@/lib/cache/invalidation";
import { jobEngineHealth } from "@/lib/jobs/job-engine";
import { limiterStore } from "@/lib/rate-limit/store";
import { lifecycle } from "./lifecycle";

export interface Health {
  status: "ok" | "degraded";
  db: { status: "ok" | "down"; latency_ms?: number; error?: string };
  jobs: { status: "ok" | "down"; engine: string; error?: string };
  /**
   * Informational: with RabbitMQ down Herald still accepts and logs everything (outboxes), so
   * it does not make the service unhealthy; it shows why events are waiting.
   */
  broker: { status: "ok" | "down"; error?: string };
  /**
   * Informational too: the consumer of tenants' bus bindings in this process (`off` where it does
   * not run). While it is down actions wait on their queues; nothing is lost.
   */
  bus: BusHealth;
  /** Informational too: a Redis store that is down falls back to Postgres. */
  rate_limits: { store: string; status: "ok" | "down"; error?: string };
  /** Informational: while the listener is down, caches keep entries for a second only. */
  cache_invalidation: { listening: boolean; notifications: number; last_notification_at: string | null };
  /** Names the parts that are down, so a 503 says what to look at. */
  down: string[];
}

function withinTwoSeconds<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("timed out after 2 s")), 2000)))]).finally(() =>
    clearTimeout(timer),
  );
}

async function checkDb(): Promise<Health["db"]> {
  const started = performance.now();
  return withinTwoSeconds(getDb().execute(sql`select 1`))
    .then(() => ({ status: "ok" as const, latency_ms: Math.round(performance.now() - started) }))
    .catch((err: unknown) => ({ status: "down" as const, error: err instanceof Error ? err.message : "unreachable" }));
}

async function checkRateLimits(): Promise<Health["rate_limits"]> {
  const store = await limiterStore();
  const r = await withinTwoSeconds(store.ping()).catch((err: unknown) => ({ ok: false, detail: err instanceof Error ? err.message : String(err) }));
  return r.ok ? { store: store.kind, status: "ok" } : { store: store.kind, status: "down", error: r.detail };
}

export async function checkHealth(): Promise<Health> {
  // Side by side: health answers in the time of its slowest check, not their sum.
  const [db, engine, broker, rateLimits] = await Promise.all([
    checkDb(),
    jobEngineHealth(),
    withinTwoSeconds(brokerHealth())
      .then((b) => (b.ok ? { status: "ok" as const } : { status: "down" as const, error: b.detail }))
      .catch((err: unknown) => ({ status: "down" as const, error: err instanceof Error ? err.message : String(err) })),
    checkRateLimits(),
  ]);
  const jobs = engine.ok
    ? { status: "ok" as const, engine: engine.engine }
    : { status: "down" as const, engine: engine.engine, error: engine.detail };
  const notifications = processBus().state;
  const down = [db.status === "down" ? "db" : null, jobs.status === "down" ? "jobs" : null].filter((x): x is string => x !== null);
  return {
    status: down.length === 0 ? "ok" : "degraded",
    db,
    jobs,
    broker,
    bus: busConsumerHealth(),
    rate_limits: rateLimits,
    cache_invalidation: {
      listening: notifications.listening,
      notifications: notifications.notifications,
      last_notification_at: notifications.lastNotificationAt === null ? null : new Date(notifications.lastNotificationAt).toISOString(),
    },
    down,
  };
}

export interface Readiness {
  status: "ready" | "draining" | "unavailable";
  /** Requests this process is serving, this one included. */
  in_flight: number;
  down: string[];
}

/**
 * What a load balancer needs: is this process taking requests? Not while it drains for
 * shutdown, nor while its database is unreachable (every API call needs it). The job engine and
 * RabbitMQ are not asked: a web process serves without them (see /api/health).
 */
export async function checkReadiness(): Promise<Readiness> {
  const state = lifecycle();
  if (state.draining) return { status: "draining", in_flight: state.inFlight, down: [] };
  const db = await checkDb();
  return db.status === "ok" ? { status: "ready", in_flight: state.inFlight, down: [] } : { status: "unavailable", in_flight: state.inFlight, down: ["db"] };
}
