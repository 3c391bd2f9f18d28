// The one broker outbox: rows bound for RabbitMQ (call events, call commands, communication events) → confirmed publish → published.
import { getDb } from "@/db";
import { markBrokerRowsPublished, recordBrokerRowsFailed, type BrokerOutboxKind } from "@/db/queries/broker-outbox";
import { positiveNumberEnv } from "@/lib/env";
import { logger } from "@/lib/logger";
import { observeBrokerPublishLag } from "@/lib/metrics/record";
import { noteDeadLetters } from "@/lib/alerts/ops-alerts";
import { publishBatch, type BatchMessage, type BatchOutcome } from "./rabbitmq";

/**
 * One kind of row bound for the broker. `claim` leases due rows in a short transaction of its
 * own (per-call order where the source needs it); everything after — connecting, publishing,
 * waiting for confirms — runs with no transaction and no pooled connection held.
 */
export interface OutboxSource<R extends { id: string }> {
  kind: BrokerOutboxKind;
  /** How long a row may keep failing before it is dead-lettered. */
  budgetMs: number;
  claim: (opts: { limit: number; leaseMs: number }) => Promise<R[]>;
  /** Declares what `message` publishes to (idempotent, cached per connection). */
  prepare: (rows: R[]) => Promise<void>;
  message: (row: R) => BatchMessage;
  /** Extra work once rows are dead-lettered (e.g. a copy to a dead-letter queue). */
  onDeadLettered?: (rows: R[], reason: string) => Promise<void>;
}

export interface OutboxSettings {
  batch: number;
  leaseMs: number;
  pollMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

export function outboxSettings(env: NodeJS.ProcessEnv = process.env): OutboxSettings {
  const n = (name: string, fallback: number) => positiveNumberEnv(name, fallback, env);
  return {
    batch: Math.floor(n("HERALD_BROKER_BATCH", 200)),
    leaseMs: n("HERALD_BROKER_LEASE_MS", 60_000),
    pollMs: n("HERALD_BROKER_POLL_MS", 100),
    retryBaseMs: n("HERALD_BROKER_RETRY_BASE_MS", 1_000),
    retryMaxMs: n("HERALD_BROKER_RETRY_MAX_MS", 30_000),
  };
}

export interface DrainResult {
  published: number;
  failed: number;
  deadLettered: number;
}

/**
 * One round for one source: claim a batch, publish it with one confirm wait, record outcomes.
 * A row is marked published only after its confirm, so a crash anywhere before that leaves it
 * leased, and it is published again when the lease runs out — at-least-once, with the row id as
 * the AMQP message id for consumers to dedupe.
 */
export async function publishOnce<R extends { id: string }>(source: OutboxSource<R>, settings: OutboxSettings): Promise<DrainResult & { claimed: number }> {
  const rows = await source.claim({ limit: settings.batch, leaseMs: settings.leaseMs });
  if (rows.length === 0) return { claimed: 0, published: 0, failed: 0, deadLettered: 0 };
  let outcomes: BatchOutcome[];
  try {
    await source.prepare(rows);
    outcomes = await publishBatch(rows.map((r) => source.message(r)));
  } catch (err) {
    // Unreachable broker (or a declare it refused): the whole batch failed, none was sent.
    const error = err instanceof Error ? err : new Error(String(err));
    outcomes = rows.map(() => ({ ok: false, error, nack: false }) as BatchOutcome);
  }
  const db = getDb();
  const ok = rows.filter((_, i) => outcomes[i]!.ok);
  observeBrokerPublishLag(source.kind, await markBrokerRowsPublished(db, { kind: source.kind, ids: ok.map((r) => r.id) }));
  let failed = 0;
  let deadLettered = 0;
  // Failures grouped by reason: an outage fails the batch with one message, one update.
  const groups = new Map<string, { nack: boolean; rows: R[] }>();
  rows.forEach((r, i) => {
    const o = outcomes[i]!;
    if (o.ok) return;
    const key = `${o.nack}:${o.error.message}`;
    const g = groups.get(key) ?? { nack: o.nack, rows: [] };
    g.rows.push(r);
    groups.set(key, g);
  });
  for (const [key, g] of groups) {
    const message = key.slice(key.indexOf(":") + 1);
    failed += g.rows.length;
    const dead = await recordBrokerRowsFailed(db, {
      kind: source.kind,
      ids: g.rows.map((r) => r.id),
      error: g.nack ? `broker nack: ${message}` : message,
      budgetMs: source.budgetMs,
      baseMs: settings.retryBaseMs,
      maxMs: settings.retryMaxMs,
      deadLetterNow: g.nack,
    });
    deadLettered += dead.length;
    if (dead.length > 0) {
      const reason = g.nack ? `broker nack: ${message}` : `retries exhausted: ${message}`;
      logger.warn({ kind: source.kind, count: dead.length, reason }, "broker outbox dead-lettered rows");
      const deadSet = new Set(dead);
      const byTenant = new Map<string | null, number>();
      for (const r of g.rows as (R & { tenantId?: string })[]) if (deadSet.has(r.id)) byTenant.set(r.tenantId ?? null, (byTenant.get(r.tenantId ?? null) ?? 0) + 1);
      for (const [tenantId, n] of byTenant) noteDeadLetters(tenantId, n, `${source.kind} (${reason.slice(0, 120)})`);
      if (source.onDeadLettered) {
        const set = new Set(dead);
        await source.onDeadLettered(g.rows.filter((r) => set.has(r.id)), reason).catch((err: unknown) =>
          logger.warn({ kind: source.kind, err: err instanceof Error ? err.message : String(err) }, "dead-letter hook failed"),
        );
      }
    }
  }
  if (failed > 0) logger.warn({ kind: source.kind, published: ok.length, failed, deadLettered }, "RabbitMQ publish failed; will retry with backoff");
  return { claimed: rows.length, published: ok.length, failed, deadLettered };
}

/** Publishes everything due across the sources until nothing is left (tests, shutdown). */
export async function drainOutbox(sources: OutboxSource<{ id: string }>[], settings = outboxSettings()): Promise<DrainResult> {
  const total: DrainResult = { published: 0, failed: 0, deadLettered: 0 };
  for (;;) {
    let claimed = 0;
    for (const s of sources) {
      const r = await publishOnce(s, settings);
      claimed += r.claimed - r.failed;
      total.published += r.published;
      total.failed += r.failed;
      total.deadLettered += r.deadLettered;
    }
    if (claimed === 0) return total;
  }
}

interface Running {
  stop: () => Promise<void>;
  wake: (kind?: BrokerOutboxKind) => void;
}

const key = Symbol.for("herald.brokerOutbox");
type G = typeof globalThis & { [key]?: Running };

/**
 * Runs the outbox in this process: each source is polled (one cheap partial-index probe when
 * idle) and woken early by `wakeBrokerOutbox()` after a commit in this process. Several processes
 * may run it; leases keep them off each other's rows. Each source has its own loop, so a slow
 * broker on one never delays another's database work.
 */
export function startBrokerOutbox(sources: OutboxSource<{ id: string }>[], settings = outboxSettings()): Running {
  const g = globalThis as G;
  if (g[key]) return g[key];
  let stopped = false;
  // Per kind: a commit of one kind wakes only its loop (each round of the others is a claim query).
  const wakers = new Map<BrokerOutboxKind, Set<() => void>>(sources.map((s) => [s.kind, new Set()]));
  const loops = sources.map(async (source) => {
    while (!stopped) {
      let busy = false;
      try {
        const r = await publishOnce(source, settings);
        // A full batch that went through: more may be waiting.
        busy = r.claimed > 0 && r.failed === 0;
      } catch (err) {
        logger.warn({ kind: source.kind, err: err instanceof Error ? err.message : String(err) }, "broker outbox round failed");
      }
      if (busy || stopped) continue;
      await new Promise<void>((resolve) => {
        const mine = wakers.get(source.kind)!;
        const wake = () => {
          clearTimeout(t);
          mine.delete(wake);
          resolve();
        };
        const t = setTimeout(wake, settings.pollMs);
        mine.add(wake);
      });
    }
  });
  const running: Running = {
    wake: (kind) => {
      for (const [k, set] of wakers) if (!kind || k === kind) [...set].forEach((w) => w());
    },
    async stop() {
      stopped = true;
      running.wake();
      await Promise.all(loops);
      if (g[key] === running) g[key] = undefined;
    },
  };
  g[key] = running;
  return running;
}

/** After committing a row bound for the broker: publish it now rather than at the next poll (only its kind's loop; all without one). */
export function wakeBrokerOutbox(kind?: BrokerOutboxKind): void {
  (globalThis as G)[key]?.wake(kind);
}

export async function stopBrokerOutbox(): Promise<void> {
  await (globalThis as G)[key]?.stop();
}
