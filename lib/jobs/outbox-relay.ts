import { getDb } from "@/db";
import { claimOutboxBatch, markOutboxDispatched, markOutboxFailed } from "@/db/queries/jobs";
import { errorText, logger } from "@/lib/logger";
import { observeOutboxRelayLag } from "@/lib/metrics/record";
import type { RelayedEvent } from "./pg-boss-engine";

const BATCH = 500;

/**
 * Moves committed outbox rows to the job engine. Polls the pending rows' partial index (an
 * empty poll is one cheap index probe); several relays (app + workers) may run, SKIP LOCKED
 * keeps them off each other's rows. `wake()` lets this process skip the wait after it emits.
 */
export function startOutboxRelay(opts: {
  dispatch: (events: RelayedEvent[]) => Promise<void>;
  pollMs?: number;
}): { stop: () => Promise<void>; drain: () => Promise<void>; wake: () => void } {
  let stopped = false;
  let wake: (() => void) | undefined;
  let running: Promise<void> = Promise.resolve();
  const pollMs = opts.pollMs ?? Number(process.env.HERALD_OUTBOX_POLL_MS ?? 100);

  async function relayOnce(): Promise<number> {
    return getDb().transaction(async (tx) => {
      const rows = await claimOutboxBatch(tx, { limit: BATCH });
      if (rows.length === 0) return 0;
      const ids = rows.map((r) => r.id);
      try {
        await opts.dispatch(rows.map((r) => ({ id: r.id, name: r.name, payload: r.payload, startAfter: r.startAfter })));
        await markOutboxDispatched(tx, { ids });
        observeOutboxRelayLag(rows.map((r) => r.createdAt));
      } catch (err) {
        logger.warn({ err, count: rows.length }, "outbox relay could not dispatch; will retry");
        await markOutboxFailed(tx, { ids, error: errorText(err).slice(0, 1000) });
        throw err;
      }
      return rows.length;
    });
  }

  async function drain(): Promise<void> {
    for (;;) {
      const n = await relayOnce();
      if (n < BATCH) return;
    }
  }

  async function loop() {
    while (!stopped) {
      try {
        await drain();
      } catch {
        await new Promise((r) => setTimeout(r, 1000));
      }
      if (stopped) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, pollMs);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      wake = undefined;
    }
  }
  running = loop();

  return {
    drain,
    wake: () => wake?.(),
    async stop() {
      stopped = true;
      wake?.();
      await running;
    },
  };
}
