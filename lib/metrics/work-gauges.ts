// Gauges of pending work, read from Postgres when Prometheus scrapes. They describe the whole
// deployment, so only the process answering the scrape reads them (once), never each web process.
import { Gauge, Registry } from "prom-client";
import { getDb } from "@/db";
import { breakerStateCounts, brokerOutboxPending, outboxPending, pgBossQueueFigures } from "@/db/queries/ops-metrics";
import { engineKind } from "@/lib/jobs/engine-kind";
import { logger } from "@/lib/logger";

export async function workGaugesText(): Promise<string> {
  const registry = new Registry();
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Gauge<L>({ name, help, labelNames, registers: [registry] });
  const scrapeOk = gauge("herald_work_scrape_ok", "1 when the pending-work figures below could be read from Postgres");
  try {
    const db = getDb();
    const [outbox, broker, breakers, queues] = await Promise.all([
      outboxPending(db),
      brokerOutboxPending(db),
      breakerStateCounts(db),
      engineKind() === "pg-boss" ? pgBossQueueFigures(db) : Promise.resolve([]),
    ]);
    gauge("herald_outbox_pending", "Outbox events committed but not yet handed to the job engine").set(outbox.pending);
    gauge("herald_outbox_oldest_seconds", "Age of the oldest outbox event not yet handed to the job engine").set(outbox.oldestSeconds);
    const brokerPending = gauge("herald_broker_outbox_pending", "Rows waiting to be published to RabbitMQ, by kind", ["kind"]);
    const brokerOldest = gauge("herald_broker_outbox_oldest_seconds", "Age of the oldest row waiting for RabbitMQ, by kind (the publish lag now)", ["kind"]);
    for (const [kind, w] of Object.entries(broker)) {
      brokerPending.set({ kind }, w.pending);
      brokerOldest.set({ kind }, w.oldestSeconds);
    }
    const breakerGauge = gauge("herald_provider_breakers", "Provider configs (active, paused or error) by provider and circuit-breaker state", ["provider", "state"]);
    for (const b of breakers) breakerGauge.set({ provider: b.provider, state: b.state }, b.configs);
    const queued = gauge("herald_workflow_queued", "Jobs waiting per workflow (pg-boss), due or scheduled", ["workflow"]);
    const due = gauge("herald_workflow_due", "Jobs per workflow whose start time has passed and that no worker has taken yet", ["workflow"]);
    const oldest = gauge("herald_workflow_oldest_due_seconds", "Age of the oldest due job per workflow", ["workflow"]);
    for (const q of queues) {
      queued.set({ workflow: q.queue }, q.queued);
      due.set({ workflow: q.queue }, q.due);
      oldest.set({ workflow: q.queue }, q.oldestDueSeconds);
    }
    scrapeOk.set(1);
  } catch (err) {
    // A scrape during a database outage still answers the process metrics.
    logger.warn({ err }, "metrics: pending-work figures unavailable");
    scrapeOk.set(0);
  }
  return registry.metrics();
}
