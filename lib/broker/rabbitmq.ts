import { randomUUID } from "node:crypto";
import amqp, { type ChannelModel, type ConfirmChannel, type Message, type Options } from "amqplib";
import { logger } from "@/lib/logger";

/**
 * Herald's one RabbitMQ client: a shared connection and confirm channel per process, opened on
 * first use and reopened on the next call after the broker drops it. Every publish is persistent
 * and resolves only once the broker has confirmed it, so a caller that records "published"
 * after `await` never records a message the broker did not take. Retrying is the caller's job
 * (the workflows retry with backoff); this module fails fast with a clear BrokerError.
 */

export const DEFAULT_RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672";
const CONNECT_TIMEOUT_MS = 5_000;
const CONFIRM_TIMEOUT_MS = 10_000;

export class BrokerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BrokerError";
  }
}

export interface PublishOptions {
  /** Consumers dedupe on this; publishers pass a stable id (e.g. the log row id). */
  messageId?: string;
  /** A short type name for consumers that route on it, e.g. `call.event`. */
  type?: string;
  correlationId?: string;
  headers?: Record<string, string | number | boolean>;
  /**
   * Fail when no queue receives the message instead of letting the broker drop it. Default:
   * true for publishToQueue, false for publishToExchange (a topic may have no subscriber yet).
   */
  mandatory?: boolean;
}

interface Live {
  url: string;
  connection: ChannelModel;
  channel: ConfirmChannel;
  /** Queues/exchanges declared on this connection; cleared with it. */
  declared: Set<string>;
  /** messageIds the broker returned as unroutable (mandatory publish, no queue bound). */
  returned: Set<string>;
}

interface BrokerState {
  urlOverride?: string;
  live?: Live;
  connecting?: Promise<Live>;
}

// On globalThis so Next's dev reloads and route bundles share one connection per process.
const stateKey = Symbol.for("herald.rabbitmq");
function state(): BrokerState {
  const g = globalThis as typeof globalThis & { [stateKey]?: BrokerState };
  return (g[stateKey] ??= {});
}

export function brokerUrl(): string {
  return state().urlOverride ?? process.env.RABBITMQ_URL ?? DEFAULT_RABBITMQ_URL;
}

/** The URL without credentials, for logs and health output. */
export function redactedBrokerUrl(url = brokerUrl()): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    return u.toString();
  } catch {
    return "amqp://<unparseable url>";
  }
}

/**
 * Points this process at another broker (tests simulate an outage with a closed port, then
 * switch back). Closes the current connection; `undefined` returns to RABBITMQ_URL.
 */
export async function configureBroker(opts: { url?: string }): Promise<void> {
  state().urlOverride = opts.url;
  await closeBroker();
}

async function connect(url: string): Promise<Live> {
  let connection: ChannelModel;
  try {
    connection = await amqp.connect(url, { timeout: CONNECT_TIMEOUT_MS, clientProperties: { connection_name: "herald" } });
  } catch (err) {
    throw new BrokerError(`RabbitMQ is unreachable at ${redactedBrokerUrl(url)}: ${describe(err)}`, { cause: err });
  }
  let channel: ConfirmChannel;
  try {
    channel = await connection.createConfirmChannel();
  } catch (err) {
    await connection.close().catch(() => {});
    throw new BrokerError(`could not open a RabbitMQ channel: ${describe(err)}`, { cause: err });
  }
  const live: Live = { url, connection, channel, declared: new Set(), returned: new Set() };
  const drop = (why: string, err?: unknown) => {
    const s = state();
    if (s.live === live) {
      s.live = undefined;
      logger.warn({ broker: redactedBrokerUrl(url), reason: why, err: err ? describe(err) : undefined }, "RabbitMQ connection lost");
    }
  };
  // Without these listeners an `error` event would crash the process.
  connection.on("error", (err) => drop("connection error", err));
  connection.on("close", (err) => drop("connection closed", err));
  connection.on("blocked", (reason) => logger.warn({ reason }, "RabbitMQ blocked this connection (resource alarm)"));
  channel.on("error", (err) => drop("channel error", err));
  channel.on("close", () => {
    drop("channel closed");
    // A channel closed by a protocol error (e.g. a queue declared with other arguments) leaves the
    // connection open: close it too so the next call starts clean.
    connection.close().catch(() => {});
  });
  channel.on("return", (msg: Message) => {
    const id = msg.properties.messageId;
    if (typeof id === "string") live.returned.add(id);
  });
  return live;
}

async function live(): Promise<Live> {
  const s = state();
  const url = brokerUrl();
  if (s.live && s.live.url === url) return s.live;
  if (s.live) await closeBroker();
  if (!s.connecting) {
    s.connecting = connect(url).then(
      (l) => {
        s.connecting = undefined;
        if (brokerUrl() !== url) {
          // Reconfigured while connecting: don't keep a connection to the old URL.
          void l.connection.close().catch(() => {});
          throw new BrokerError("RabbitMQ URL changed while connecting");
        }
        s.live = l;
        return l;
      },
      (err) => {
        s.connecting = undefined;
        throw err;
      },
    );
  }
  return s.connecting;
}

/** Declares a durable queue once per connection (idempotent on the broker too). */
export async function assertQueue(name: string, options: Options.AssertQueue = {}): Promise<void> {
  const l = await live();
  const key = `q:${name}`;
  if (l.declared.has(key)) return;
  try {
    await l.channel.assertQueue(name, { durable: true, ...options });
  } catch (err) {
    throw new BrokerError(`could not declare RabbitMQ queue "${name}": ${describe(err)}`, { cause: err });
  }
  l.declared.add(key);
}

/** Declares a durable exchange once per connection. */
export async function assertExchange(
  name: string,
  type: "direct" | "topic" | "fanout" | "headers",
  options: Options.AssertExchange = {},
): Promise<void> {
  const l = await live();
  const key = `x:${name}`;
  if (l.declared.has(key)) return;
  try {
    await l.channel.assertExchange(name, type, { durable: true, ...options });
  } catch (err) {
    throw new BrokerError(`could not declare RabbitMQ exchange "${name}": ${describe(err)}`, { cause: err });
  }
  l.declared.add(key);
}

/** Binds a queue to an exchange (idempotent on the broker). */
export async function bindQueue(queue: string, exchange: string, pattern: string): Promise<void> {
  const l = await live();
  const key = `b:${queue}:${exchange}:${pattern}`;
  if (l.declared.has(key)) return;
  try {
    await l.channel.bindQueue(queue, exchange, pattern);
  } catch (err) {
    throw new BrokerError(`could not bind "${queue}" to "${exchange}": ${describe(err)}`, { cause: err });
  }
  l.declared.add(key);
}

/**
 * Removes a binding. On a channel of its own: the broker closes the channel when the queue or
 * exchange does not exist, and that must not fail the publishes in flight on the shared one.
 */
export async function unbindQueue(queue: string, exchange: string, pattern: string): Promise<void> {
  const l = await live();
  l.declared.delete(`b:${queue}:${exchange}:${pattern}`);
  try {
    const ch = await l.connection.createChannel();
    ch.on("error", () => {});
    await ch.unbindQueue(queue, exchange, pattern);
    await ch.close().catch(() => {});
  } catch (err) {
    throw new BrokerError(`could not unbind "${queue}" from "${exchange}": ${describe(err)}`, { cause: err });
  }
}

function encode(body: unknown): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
}

export interface BatchMessage {
  /** "" with `routingKey` = the queue name publishes to a queue (mandatory: unroutable fails). */
  exchange: string;
  routingKey: string;
  body: unknown;
  options: PublishOptions & { messageId: string };
}

export type BatchOutcome = { ok: true } | { ok: false; error: BrokerError; nack: boolean };

/**
 * Publishes messages in order on the shared confirm channel and waits for all the broker's
 * confirms at once (one round trip, one timeout for the batch). Resolves per message: a nack or
 * an unroutable return fails that message alone; a lost connection or the timeout fails every
 * message still unconfirmed. Never rejects except when the broker cannot be reached at all.
 */
export async function publishBatch(messages: BatchMessage[]): Promise<BatchOutcome[]> {
  const l = await live();
  const outcomes: (BatchOutcome | undefined)[] = messages.map(() => undefined);
  await new Promise<void>((resolve) => {
    let pending = messages.length;
    if (pending === 0) return resolve();
    const settle = (i: number, o: BatchOutcome) => {
      if (outcomes[i]) return;
      outcomes[i] = o;
      if (--pending === 0) {
        clearTimeout(timer);
        resolve();
      }
    };
    const timer = setTimeout(() => {
      const error = new BrokerError(`RabbitMQ did not confirm the batch within ${CONFIRM_TIMEOUT_MS} ms`);
      messages.forEach((_, i) => settle(i, { ok: false, error, nack: false }));
    }, CONFIRM_TIMEOUT_MS);
    messages.forEach((m, i) => {
      const { messageId } = m.options;
      try {
        l.channel.publish(
          m.exchange,
          m.routingKey,
          encode(m.body),
          {
            persistent: true,
            mandatory: m.options.mandatory ?? m.exchange === "",
            contentType: Buffer.isBuffer(m.body) ? "application/octet-stream" : "application/json",
            messageId,
            type: m.options.type,
            correlationId: m.options.correlationId,
            headers: m.options.headers,
            timestamp: Math.floor(Date.now() / 1000),
            appId: "herald",
          },
          (err) => {
            if (err) return settle(i, { ok: false, error: new BrokerError(`RabbitMQ rejected the message: ${describe(err)}`, { cause: err }), nack: !/closed/i.test(describe(err)) });
            if (l.returned.delete(messageId)) {
              l.declared.clear();
              return settle(i, { ok: false, error: new BrokerError(`RabbitMQ could not route the message to "${m.routingKey || m.exchange}"`), nack: true });
            }
            settle(i, { ok: true });
          },
        );
      } catch (err) {
        settle(i, { ok: false, error: new BrokerError(`RabbitMQ publish failed: ${describe(err)}`, { cause: err }), nack: false });
      }
    });
  });
  return outcomes as BatchOutcome[];
}

/** One confirmed message: the batch path with a batch of one. */
async function publishOne(m: Omit<BatchMessage, "options"> & { options: PublishOptions }): Promise<void> {
  const [outcome] = await publishBatch([{ ...m, options: { ...m.options, messageId: m.options.messageId ?? randomUUID() } }]);
  if (!outcome!.ok) throw outcome!.error;
}

/** Declares `queue` (durable) and publishes one confirmed, persistent JSON message to it. */
export async function publishToQueue(queue: string, body: unknown, opts: PublishOptions = {}): Promise<void> {
  await assertQueue(queue);
  // Mandatory: if the queue was deleted since we declared it, fail (and re-declare on retry).
  await publishOne({ exchange: "", routingKey: queue, body, options: { mandatory: true, ...opts } });
}

/** Publishes to an exchange the caller has declared with `assertExchange`. */
export async function publishToExchange(exchange: string, routingKey: string, body: unknown, opts: PublishOptions = {}): Promise<void> {
  await publishOne({ exchange, routingKey, body, options: opts });
}

/** For /api/health: can this process reach the broker right now? */
export async function brokerHealth(): Promise<{ ok: boolean; url: string; detail?: string }> {
  const url = redactedBrokerUrl();
  try {
    await live();
    return { ok: true, url };
  } catch (err) {
    return { ok: false, url, detail: describe(err) };
  }
}

/** Closes the shared connection (shutdown, tests, reconfiguration). Safe to call twice. */
export async function closeBroker(): Promise<void> {
  const s = state();
  const l = s.live;
  s.live = undefined;
  if (s.connecting) await s.connecting.then((c) => c.connection.close().catch(() => {}), () => {});
  if (l) await l.connection.close().catch(() => {});
}

function describe(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return err.errors.map(describe).join("; ");
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
