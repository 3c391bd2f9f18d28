// Cross-process cache invalidation: database triggers NOTIFY `herald_cache` with `<table>:<key>`
// when a cached row changes (custom migration), and every process LISTENs. NOTIFY is sent at
// commit, so a process hears of a change only once it is visible.
import { databaseUrl } from "@/db";
import { listenOnChannel, type ChannelListener } from "@/db/notifications";
import { logger } from "@/lib/logger";

export const CACHE_CHANNEL = "herald_cache";

export interface InvalidationSubscriber {
  /** A row changed: drop what was derived from it (`<table>:<key>`). */
  invalidate(tag: string): void;
  /** Everything may be stale (the bus was deaf for a while). */
  clear(): void;
}

export interface BusState {
  listening: boolean;
  /** Bumped by every invalidation heard and every (re)connect: a load that saw it change must not be cached. */
  sequence: number;
  notifications: number;
  lastNotificationAt: number | null;
}

/**
 * One LISTEN connection per process and the caches that depend on it. While it is not
 * listening (starting, reconnecting) caches fall back to their short TTL; when it listens again
 * every cache is cleared, since what changed in between was not heard.
 */
export class InvalidationBus {
  private readonly subscribers = new Set<InvalidationSubscriber>();
  private listener: ChannelListener | undefined;
  private url: string | undefined;
  readonly state: BusState = { listening: false, sequence: 0, notifications: 0, lastNotificationAt: null };

  constructor(private readonly opts: { url?: () => string | undefined; heartbeatMs?: number } = {}) {}

  subscribe(s: InvalidationSubscriber): () => void {
    this.subscribers.add(s);
    return () => this.subscribers.delete(s);
  }

  /** Starts listening (idempotent; follows a change of DATABASE_URL, as tests make). Never throws. */
  ensureStarted(): void {
    const url = (this.opts.url ?? currentDatabaseUrl)();
    if (!url || (this.listener && this.url === url)) return;
    void this.listener?.stop();
    this.state.listening = false;
    this.url = url;
    this.listener = listenOnChannel({
      url,
      channel: CACHE_CHANNEL,
      heartbeatMs: this.opts.heartbeatMs,
      onNotify: (payload) => this.deliver(payload),
      onListening: () => {
        this.state.sequence++;
        for (const s of this.subscribers) s.clear();
        this.state.listening = true;
      },
      onLost: (reason) => {
        this.state.listening = false;
        this.state.sequence++;
        logger.warn({ reason }, "cache invalidation listener lost; caches use their short TTL until it is back");
      },
    });
  }

  async stop(): Promise<void> {
    const l = this.listener;
    this.listener = undefined;
    this.url = undefined;
    this.state.listening = false;
    this.state.sequence++;
    await l?.stop();
  }

  /** What a NOTIFY (or this process itself) says changed. */
  deliver(tag: string): void {
    this.state.sequence++;
    this.state.notifications++;
    this.state.lastNotificationAt = Date.now();
    for (const s of this.subscribers) s.invalidate(tag);
  }
}

function currentDatabaseUrl(): string | undefined {
  try {
    return databaseUrl();
  } catch {
    return undefined;
  }
}

const busKey = Symbol.for("herald.cacheInvalidationBus");
type G = typeof globalThis & { [busKey]?: InvalidationBus };

/** This process's bus, shared by the Next bundle and the job engine (both load lib/ separately). */
export function processBus(): InvalidationBus {
  const g = globalThis as G;
  return (g[busKey] ??= new InvalidationBus());
}
