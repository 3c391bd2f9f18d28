// A dedicated connection that LISTENs on one channel and comes back by itself when it is lost.
import postgres from "postgres";
import { databaseUrl, registerForClose } from "./index";

export interface ChannelListener {
  stop(): Promise<void>;
}

export interface ListenOptions {
  channel: string;
  onNotify(payload: string): void;
  /** LISTEN is in place (first time or after a reconnect): notifications sent while it was not were missed. */
  onListening(): void;
  /** The connection is gone (or stopped answering); a reconnect follows unless stopped. */
  onLost(reason: string): void;
  url?: string;
  /** How often the connection proves it is alive (`select 1`, answered within 5 s). */
  heartbeatMs?: number;
}

// Generous: a loaded database answering slowly is not a lost connection.
const HEARTBEAT_TIMEOUT_MS = 5_000;
const MAX_BACKOFF_MS = 5_000;

/**
 * One connection outside the pool (a LISTEN holds its connection for good). A connection that
 * closes or fails its heartbeat is dropped and replaced with backoff; `onListening` fires on every
 * successful LISTEN, so the caller can treat what it cached before as possibly stale. Stopped by
 * `stop()` or by `closeDb()`.
 */
export function listenOnChannel(opts: ListenOptions): ChannelListener {
  const url = opts.url ?? databaseUrl();
  let stopped = false;
  let client: postgres.Sql | undefined;
  let attempt = 0;
  let retry: NodeJS.Timeout | undefined;

  const drop = (c: postgres.Sql) => void c.end({ timeout: 0 }).catch(() => {});

  function lost(c: postgres.Sql, reason: string) {
    if (client !== c) return;
    client = undefined;
    drop(c);
    opts.onLost(reason);
    if (stopped) return;
    const delay = Math.min(MAX_BACKOFF_MS, 100 * 2 ** attempt++) * (0.5 + Math.random() / 2);
    retry = setTimeout(() => void connect(), delay);
    retry.unref();
  }

  async function connect() {
    if (stopped) return;
    const c: postgres.Sql = postgres(url, {
      max: 1,
      idle_timeout: 0,
      max_lifetime: null,
      fetch_types: false,
      onnotice: () => {},
      connection: { application_name: "herald-listen" },
      onnotify: (channel: string, payload: string) => {
        if (channel === opts.channel) opts.onNotify(payload);
      },
      onclose: () => lost(c, "connection closed"),
    } as postgres.Options<Record<string, postgres.PostgresType>>);
    client = c;
    try {
      await c.unsafe(`listen "${opts.channel.replace(/"/g, '""')}"`);
      if (client !== c) return;
      attempt = 0;
      opts.onListening();
    } catch (err) {
      lost(c, err instanceof Error ? err.message : String(err));
    }
  }

  const heartbeat = setInterval(() => {
    const c = client;
    if (!c) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("heartbeat timed out")), HEARTBEAT_TIMEOUT_MS);
    });
    Promise.race([c`select 1`, timeout])
      .catch((err: unknown) => lost(c, err instanceof Error ? err.message : String(err)))
      .finally(() => clearTimeout(timer));
  }, opts.heartbeatMs ?? 5_000);
  heartbeat.unref();

  void connect();
  const listener: ChannelListener = {
    async stop() {
      if (stopped) return;
      stopped = true;
      unregister();
      clearInterval(heartbeat);
      clearTimeout(retry);
      const c = client;
      client = undefined;
      if (c) await c.end({ timeout: 1 }).catch(() => {});
    },
  };
  const unregister = registerForClose(listener);
  return listener;
}
