// The bus consumer: every enabled binding's queue consumed with manual acks, in every process
// that runs the job engine (beside the broker outbox). Deliveries are accepted in batches per
// binding; a delivery is acknowledged only once its outcome is committed in Postgres.
import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from "amqplib";
import { getDb } from "@/db";
import { listEnabledBusBindings } from "@/db/queries/bus";
import { brokerUrl, redactedBrokerUrl } from "@/lib/broker/rabbitmq";
import { logger } from "@/lib/logger";
import { acceptActions, type ActionOutcome, type BusBindingRef } from "./accept-actions";
import { bindingQueue, bindingRoutingKey, busSettings, type BusSettings } from "./settings";

const CONNECT_TIMEOUT_MS = 5_000;
const DLQ_CONFIRM_TIMEOUT_MS = 10_000;
/** Batches of one binding accepted at the same time (the next is read while one commits). */
const MAX_IN_FLIGHT = 2;

interface Bound {
  ref: BusBindingRef;
  consumerTag: string;
  buffer: ConsumeMessage[];
  timer?: NodeJS.Timeout;
  inFlight: number;
  /** Consecutive transient failures: the requeue delay doubles with each. */
  failures: number;
}

interface Session {
  connection: ChannelModel;
  channel: Channel;
  dlq: ConfirmChannel;
  bound: Map<string, Bound>;
  closed: boolean;
  /** Requeue timers: cleared with the session (the broker redelivers what the session held). */
  timers: Set<NodeJS.Timeout>;
}

export interface BusConsumerStats {
  accepted: number;
  poison: number;
  retried: number;
  reconnects: number;
}

export type BusHealth = { status: "ok" | "down" | "off"; consumers: number; error?: string };

class BusConsumer {
  private session?: Session;
  private stopped = false;
  private lastError?: string;
  private wakeSync?: () => void;
  private loop?: Promise<void>;
  private syncing = Promise.resolve();
  readonly stats: BusConsumerStats = { accepted: 0, poison: 0, retried: 0, reconnects: 0 };

  constructor(private readonly settings: BusSettings) {}

  start() {
    this.loop = this.run();
  }

  async stop() {
    this.stopped = true;
    this.wakeSync?.();
    await this.loop;
  }

  wake() {
    this.wakeSync?.();
  }

  health(): BusHealth {
    if (this.session && !this.session.closed) return { status: "ok", consumers: this.session.bound.size };
    if (this.lastError) return { status: "down", consumers: 0, error: this.lastError };
    // No binding yet: nothing to consume, no connection needed.
    return { status: "ok", consumers: 0 };
  }

  /** Sync bindings; connect when there is something to consume; on a lost connection back off and retry. */
  private async run() {
    let attempt = 0;
    while (!this.stopped) {
      try {
        const bindings = await this.enabledBindings();
        if (bindings.length > 0 && (!this.session || this.session.closed)) {
          const hadSession = this.session !== undefined;
          this.session = await this.connect();
          if (hadSession) this.stats.reconnects++;
          this.lastError = undefined;
        }
        if (bindings.length === 0 && this.session && !this.session.closed) {
          // The last binding went: hold no connection for nothing.
          await this.closeSession();
        }
        if (this.session && !this.session.closed) await this.sync(this.session, bindings);
        attempt = 0;
        await this.sleep(this.settings.syncMs);
      } catch (err) {
        this.lastError = describe(err);
        if (this.session && !this.session.closed) {
          // A failed sync on a live connection: keep the connection, retry the sync later.
          logger.warn({ err: this.lastError }, "bus consumer: syncing bindings failed");
          await this.sleep(this.settings.reconnectBaseMs * 4);
          continue;
        }
        const delay = Math.min(this.settings.reconnectMaxMs, this.settings.reconnectBaseMs * 2 ** attempt) * (0.75 + Math.random() / 2);
        attempt++;
        logger.warn({ broker: redactedBrokerUrl(), err: this.lastError, retryInMs: Math.round(delay) }, "bus consumer: cannot consume; retrying");
        await this.sleep(delay);
      }
    }
    await this.closeSession();
  }

  /** Sleeps until the timeout, a wake (binding change, stop) or the session's loss. */
  private sleep(ms: number) {
    return new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wakeSync = done;
    });
  }

  private async enabledBindings(): Promise<BusBindingRef[]> {
    const rows = await listEnabledBusBindings(getDb());
    return rows.map(({ binding, tenantSlug }) => ({
      id: binding.id,
      tenantId: binding.tenantId,
      tenantSlug,
      key: binding.key,
      queue: bindingQueue(binding.key, this.settings),
    }));
  }

  private async connect(): Promise<Session> {
    const url = new URL(brokerUrl());
    // Heartbeats notice a silent broker (a dead link without a FIN) within about 20 s.
    if (!url.searchParams.has("heartbeat")) url.searchParams.set("heartbeat", "10");
    const connection = await amqp.connect(url.toString(), { timeout: CONNECT_TIMEOUT_MS, clientProperties: { connection_name: "herald-bus" } });
    const session: Session = { connection, channel: undefined as unknown as Channel, dlq: undefined as unknown as ConfirmChannel, bound: new Map(), closed: false, timers: new Set() };
    const lost = (why: string, err?: unknown) => {
      if (session.closed) return;
      session.closed = true;
      for (const t of session.timers) clearTimeout(t);
      for (const b of session.bound.values()) clearTimeout(b.timer);
      this.lastError = `${why}${err ? `: ${describe(err)}` : ""}`;
      logger.warn({ broker: redactedBrokerUrl(), reason: this.lastError }, "bus consumer: connection lost; reconnecting");
      connection.close().catch(() => {});
      this.wakeSync?.();
    };
    connection.on("error", (err) => lost("connection error", err));
    connection.on("close", (err) => lost("connection closed", err));
    try {
      session.channel = await connection.createChannel();
      session.dlq = await connection.createConfirmChannel();
    } catch (err) {
      lost("could not open channels", err);
      throw err;
    }
    for (const ch of [session.channel, session.dlq]) {
      ch.on("error", (err) => lost("channel error", err));
      ch.on("close", () => lost("channel closed"));
    }
    await session.channel.assertExchange(this.settings.exchange, "topic", { durable: true });
    await session.channel.assertQueue(this.settings.deadLetterQueue, { durable: true });
    // Per consumer: each binding's queue may have this many deliveries unacknowledged.
    await session.channel.prefetch(this.settings.prefetch, false);
    logger.info({ broker: redactedBrokerUrl(), exchange: this.settings.exchange }, "bus consumer connected");
    return session;
  }

  /** Consumes new bindings' queues, cancels the consumers of bindings gone or disabled. */
  private async sync(session: Session, bindings: BusBindingRef[]) {
    const wanted = new Map(bindings.map((b) => [b.id, b]));
    for (const [id, b] of session.bound) {
      if (wanted.get(id)?.key === b.ref.key) continue;
      session.bound.delete(id);
      clearTimeout(b.timer);
      await session.channel.cancel(b.consumerTag);
    }
    for (const ref of bindings) {
      if (session.bound.has(ref.id)) continue;
      await session.channel.assertQueue(ref.queue, { durable: true });
      await session.channel.bindQueue(ref.queue, this.settings.exchange, bindingRoutingKey(ref.key, this.settings));
      const bound: Bound = { ref, consumerTag: "", buffer: [], inFlight: 0, failures: 0 };
      session.bound.set(ref.id, bound);
      const { consumerTag } = await session.channel.consume(
        ref.queue,
        (msg) => {
          // null: the broker cancelled the consumer (its queue was deleted); the next sync declares it again.
          if (msg) this.receive(session, bound, msg);
          else if (session.bound.get(ref.id) === bound) session.bound.delete(ref.id);
        },
        { noAck: false },
      );
      bound.consumerTag = consumerTag;
    }
  }

  private receive(session: Session, bound: Bound, msg: ConsumeMessage) {
    bound.buffer.push(msg);
    if (bound.buffer.length >= this.settings.batch) this.flush(session, bound);
    else bound.timer ??= setTimeout(() => this.flush(session, bound), this.settings.lingerMs);
  }

  private flush(session: Session, bound: Bound) {
    clearTimeout(bound.timer);
    bound.timer = undefined;
    if (session.closed || bound.buffer.length === 0) return;
    if (bound.inFlight >= MAX_IN_FLIGHT) return;
    const batch = bound.buffer.splice(0, this.settings.batch);
    bound.inFlight++;
    void this.handle(session, bound, batch).finally(() => {
      bound.inFlight--;
      if (bound.buffer.length >= this.settings.batch) this.flush(session, bound);
      else if (bound.buffer.length > 0) bound.timer ??= setTimeout(() => this.flush(session, bound), this.settings.lingerMs);
    });
  }

  private async handle(session: Session, bound: Bound, batch: ConsumeMessage[]) {
    let outcomes: ActionOutcome[];
    const t0 = performance.now();
    try {
      outcomes = await acceptActions(
        bound.ref,
        batch.map((m) => ({
          body: m.content,
          messageId: typeof m.properties.messageId === "string" ? m.properties.messageId : undefined,
          routingKey: m.fields.routingKey,
        })),
      );
      bound.failures = 0;
    } catch (err) {
      // Nothing decided (the database is down, a statement failed): hold the batch, then requeue it.
      const delay = Math.min(this.settings.retryMaxMs, this.settings.retryBaseMs * 2 ** bound.failures);
      bound.failures++;
      logger.warn({ binding: bound.ref.key, count: batch.length, err: describe(err), retryInMs: delay }, "bus consumer: accepting actions failed; requeueing after a delay");
      this.requeueLater(session, batch, delay);
      return;
    }
    logger.debug({ binding: bound.ref.key, count: batch.length, ms: Math.round(performance.now() - t0) }, "bus consumer: batch decided");
    const poison: { msg: ConsumeMessage; outcome: Extract<ActionOutcome, { kind: "poison" }> }[] = [];
    outcomes.forEach((o, i) => {
      const msg = batch[i]!;
      if (o.kind === "accepted") {
        this.stats.accepted++;
        this.ack(session, msg);
      } else if (o.kind === "retry") {
        logger.debug({ binding: bound.ref.key, reason: o.reason, retryInMs: o.delayMs }, "bus consumer: action requeued after a delay");
        this.requeueLater(session, [msg], o.delayMs);
      }
      else poison.push({ msg, outcome: o });
    });
    if (poison.length > 0) await this.deadLetter(session, bound, poison);
  }

  /** Copies refused messages to the dead-letter queue with their reason; acks each once the broker confirmed its copy. */
  private async deadLetter(session: Session, bound: Bound, items: { msg: ConsumeMessage; outcome: Extract<ActionOutcome, { kind: "poison" }> }[]) {
    const results = await Promise.all(
      items.map(
        ({ msg, outcome }) =>
          new Promise<boolean>((resolve) => {
            if (session.closed) return resolve(false);
            const timer = setTimeout(() => resolve(false), DLQ_CONFIRM_TIMEOUT_MS);
            try {
              session.dlq.sendToQueue(
                this.settings.deadLetterQueue,
                msg.content,
                {
                  persistent: true,
                  contentType: msg.properties.contentType,
                  messageId: msg.properties.messageId,
                  type: msg.properties.type,
                  correlationId: msg.properties.correlationId,
                  timestamp: msg.properties.timestamp,
                  appId: "herald",
                  headers: {
                    ...(msg.properties.headers ?? {}),
                    "x-herald-reason": outcome.poison.code,
                    "x-herald-reason-message": outcome.poison.reason.slice(0, 500),
                    "x-herald-tenant": bound.ref.tenantSlug,
                    "x-original-exchange": msg.fields.exchange,
                    "x-original-routing-key": msg.fields.routingKey,
                    "x-original-queue": bound.ref.queue,
                    ...(outcome.poison.actionId ? { "x-action-id": outcome.poison.actionId } : {}),
                  },
                },
                (err) => {
                  clearTimeout(timer);
                  resolve(!err);
                },
              );
            } catch {
              clearTimeout(timer);
              resolve(false);
            }
          }),
      ),
    );
    items.forEach(({ msg }, i) => {
      if (results[i]) {
        this.stats.poison++;
        this.ack(session, msg);
      } else this.requeueLater(session, [msg], this.settings.retryBaseMs);
    });
  }

  private ack(session: Session, msg: ConsumeMessage) {
    // A delivery of a lost connection cannot be acked: the broker redelivers it, and its replay is answered then.
    if (session.closed) return;
    try {
      session.channel.ack(msg);
    } catch {
      /* the channel closed meanwhile: same as above */
    }
  }

  /** Holds the deliveries (they keep counting against the prefetch: back-pressure), then requeues them. */
  private requeueLater(session: Session, msgs: ConsumeMessage[], delayMs: number) {
    this.stats.retried += msgs.length;
    const t = setTimeout(() => {
      session.timers.delete(t);
      if (session.closed) return;
      for (const m of msgs) {
        try {
          session.channel.nack(m, false, true);
        } catch {
          /* closed meanwhile: the broker redelivers */
        }
      }
    }, delayMs);
    session.timers.add(t);
  }

  private async closeSession() {
    const s = this.session;
    this.session = undefined;
    if (!s || s.closed) return;
    s.closed = true;
    for (const t of s.timers) clearTimeout(t);
    for (const b of s.bound.values()) clearTimeout(b.timer);
    // Wait briefly for batches being accepted so their acks go out before the connection closes.
    const deadline = Date.now() + 5_000;
    while ([...s.bound.values()].some((b) => b.inFlight > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await s.connection.close().catch(() => {});
  }
}

function describe(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return err.errors.map(describe).join("; ");
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

const key = Symbol.for("herald.busConsumer");
type G = typeof globalThis & { [key]?: BusConsumer };

/** Starts the consumer in this process (once; the job engine calls it beside the broker outbox). */
export function startBusConsumer(settings = busSettings()): BusConsumer {
  const g = globalThis as G;
  if (g[key]) return g[key];
  const c = new BusConsumer(settings);
  g[key] = c;
  c.start();
  return c;
}

export async function stopBusConsumer(): Promise<void> {
  const g = globalThis as G;
  const c = g[key];
  g[key] = undefined;
  await c?.stop();
}

/** After a binding changed in this process: pick it up now rather than at the next sync. */
export function wakeBusConsumer(): void {
  (globalThis as G)[key]?.wake();
}

/** For /api/health and the Settings page: off when this process runs no consumer. */
export function busConsumerHealth(): BusHealth {
  const c = (globalThis as G)[key];
  return c ? c.health() : { status: "off", consumers: 0 };
}

export function busConsumerStats(): BusConsumerStats | undefined {
  return (globalThis as G)[key]?.stats;
}
