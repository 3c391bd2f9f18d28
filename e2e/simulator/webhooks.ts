// Outbound webhook delivery: one attempt per event, recorded with the exact bytes sent.
import type { SimState } from "./state";
import type { ProviderName, WebhookDelivery } from "./types";

export interface OutboundWebhook {
  provider: ProviderName;
  accountId: string;
  messageId: string | null;
  event: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

const POST_TIMEOUT_MS = 10_000;

export class WebhookDispatcher {
  private pending = new Set<Promise<unknown>>();
  private timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly state: SimState) {}

  async post(webhook: OutboundWebhook): Promise<WebhookDelivery> {
    const delivery: WebhookDelivery = {
      seq: this.state.nextSeq(),
      ...webhook,
      status: null,
      error: null,
      sentAt: new Date().toISOString(),
    };
    const attempt = (async () => {
      try {
        const res = await fetch(webhook.url, {
          method: "POST",
          headers: webhook.headers,
          body: webhook.body,
          redirect: "manual",
          signal: AbortSignal.timeout(POST_TIMEOUT_MS),
        });
        delivery.status = res.status;
        await res.arrayBuffer().catch(() => undefined);
      } catch (error) {
        delivery.error = error instanceof Error ? error.message : String(error);
      }
      this.state.deliveries.push(delivery);
      return delivery;
    })();
    return this.track(attempt);
  }

  /** Run `task` after `delayMs` unless the simulator closes first. */
  schedule(delayMs: number, task: () => Promise<unknown>): void {
    if (this.closed) return;
    let settle: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (settle = resolve));
    this.track(done);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      task()
        .catch(() => undefined)
        .finally(settle);
    }, delayMs);
    this.timers.add(timer);
    // Closing cancels the timer, so release the pending promise too.
    (timer as NodeJS.Timeout & { settle?: () => void }).settle = settle;
  }

  /** Resolves once every scheduled and in-flight webhook has been attempted. */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) {
      clearTimeout(timer);
      (timer as NodeJS.Timeout & { settle?: () => void }).settle?.();
    }
    this.timers.clear();
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.pending.add(promise);
    void promise.finally(() => this.pending.delete(promise)).catch(() => undefined);
    return promise;
  }
}
