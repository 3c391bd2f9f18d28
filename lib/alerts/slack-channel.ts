// One Slack incoming webhook's alert queue: dedupe, batch, pace (~1 message/s), honour 429
// Retry-After, back off on 5xx and network errors, and spool to disk while Slack stays away —
// replaying the spool in order, marked delayed, before anything newer once Slack answers.
import { logger } from "@/lib/logger";
import { countAlertMessages } from "@/lib/metrics/record";
import { parseRetryAfter } from "@/lib/outbound-webhooks/schedule";
import { dedupeKeyOf, type Alert, type AlertRecord } from "./alert";
import { AlertSpool } from "./alert-spool";
import { slackMessage } from "./slack-message";
import { channelSettings, defaultPost, type ChannelSettings, type PostJson } from "./slack-post";
import { scrubText } from "@/lib/observability/scrub";

const MAX_WINDOWS = 1_000;

interface Window {
  startedAt: number;
  total: number;
  /** The record still waiting in memory, which repeats are folded into. */
  pending: AlertRecord | null;
  /** Repeats that came after the first was sent (or spooled): summarised when the window ends. */
  after: number;
  template: AlertRecord;
}

interface Batch {
  records: AlertRecord[];
  fromSpool: boolean;
}

export interface ChannelOptions {
  /** `deployment` or `tenant`: the metric label; `name` names the spool files. */
  destination: "deployment" | "tenant";
  name: string;
  /** The webhook URL now; null drops what is queued (the webhook was removed). */
  resolveUrl: () => Promise<string | null>;
  spoolDir: string;
  settings?: Partial<ChannelSettings>;
  post?: PostJson;
  now?: () => number;
  /** Called after each message Slack accepted (the tenant's "last delivered" status). */
  onOutcome?: (o: { ok: boolean; at: Date; error?: string }) => void;
}

export class SlackChannel {
  readonly settings: ChannelSettings;
  private readonly post: PostJson;
  private readonly now: () => number;
  private readonly spool: AlertSpool;
  /** Dedupe windows by alert key, oldest first; bounded (MAX_WINDOWS), the oldest closing early. */
  private readonly windows = new Map<string, Window>();
  private intake: Alert[] = [];
  private queue: AlertRecord[] = [];
  private spooling: boolean;
  private failures = 0;
  private nextAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly opts: ChannelOptions) {
    this.settings = { ...channelSettings(), ...opts.settings };
    this.post = opts.post ?? defaultPost;
    this.now = opts.now ?? Date.now;
    this.spool = new AlertSpool({ dir: opts.spoolDir, destination: opts.name });
    // Alerts left on disk by an earlier run (or a process that died) go first.
    this.spooling = !this.spool.isEmpty;
    if (this.spooling) this.schedule(0);
  }

  /** Takes an alert; never blocks and never throws. The work happens on the channel's own loop. */
  push(alert: Alert): void {
    if (this.stopped) return;
    this.intake.push(alert);
    this.schedule(0);
  }

  /** Whether anything is still waiting (in memory, on disk, or a window's summary). */
  get idle(): boolean {
    return this.intake.length === 0 && this.queue.length === 0 && this.spool.isEmpty && this.windows.size === 0;
  }

  get isSpooling(): boolean {
    return this.spooling;
  }

  spoolFiles(): string[] {
    return this.spool.files();
  }

  private schedule(delayMs: number) {
    if (this.stopped || this.running) return;
    const wait = Math.max(delayMs, this.nextAt - this.now());
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.tick()
        .catch((err: unknown) => logger.warn({ err, destination: this.opts.name }, "alert channel round failed"))
        .finally(() => {
          this.running = null;
          const next = this.nextWake();
          if (next !== null) this.schedule(next);
        });
    }, wait);
    this.timer.unref?.();
  }

  /** When the loop must look again: now-ish for work, the earliest window end for summaries, or never. */
  private nextWake(): number | null {
    if (this.intake.length > 0 || this.queue.length > 0 || !this.spool.isEmpty) return Math.max(0, this.nextAt - this.now());
    let earliest: number | null = null;
    for (const w of this.windows.values()) {
      const end = w.startedAt + this.settings.dedupeWindowMs - this.now();
      earliest = earliest === null ? end : Math.min(earliest, end);
    }
    return earliest === null ? null : Math.max(0, earliest);
  }

  /** Folds the intake into records: a repeat within its window counts, a new alert queues. */
  private absorb() {
    const now = this.now();
    this.closeWindows(now);
    const fresh: AlertRecord[] = [];
    for (const a of this.intake.splice(0)) {
      const key = dedupeKeyOf(a);
      const w = this.windows.get(key);
      if (w && now - w.startedAt < this.settings.dedupeWindowMs) {
        w.total++;
        if (w.pending) {
          w.pending.count++;
          w.pending.lastAt = now;
        } else w.after++;
        continue;
      }
      const record: AlertRecord = {
        kind: a.kind,
        severity: a.severity,
        title: scrubText(a.title).slice(0, 500),
        text: scrubText(a.text ?? "").slice(0, 4000),
        tenantId: a.tenantId ?? null,
        tenantSlug: a.tenantSlug ?? null,
        firstAt: now,
        lastAt: now,
        count: 1,
      };
      this.windows.delete(key);
      this.windows.set(key, { startedAt: now, total: 1, pending: record, after: 0, template: record });
      fresh.push(record);
      if (this.windows.size > MAX_WINDOWS) {
        const [oldestKey, oldest] = this.windows.entries().next().value as [string, Window];
        this.windows.delete(oldestKey);
        if (oldest.after > 0) fresh.push({ ...oldest.template, firstAt: oldest.startedAt, lastAt: now, count: oldest.total, summary: true });
      }
    }
    this.enqueue(fresh);
  }

  /** Ends windows past their length; one whose repeats came after its first alert left sends a summary. */
  private closeWindows(now: number) {
    const summaries: AlertRecord[] = [];
    for (const [key, w] of [...this.windows.entries()]) {
      if (now - w.startedAt < this.settings.dedupeWindowMs) continue;
      this.windows.delete(key);
      const end = Math.min(now, w.startedAt + this.settings.dedupeWindowMs, this.now());
      if (w.after > 0) summaries.push({ ...w.template, firstAt: w.startedAt, lastAt: end, count: w.total, summary: true });
    }
    this.enqueue(summaries);
  }

  private enqueue(records: AlertRecord[]) {
    if (records.length === 0) return;
    if (this.spooling) {
      this.toDisk(records);
      return;
    }
    this.queue.push(...records);
    if (this.queue.length > this.settings.maxQueue) {
      // Slack keeps answering 429 for longer than the queue can hold: the rest waits on disk.
      this.goToDisk("the in-memory alert queue is full");
    }
  }

  private toDisk(records: AlertRecord[]) {
    for (const r of records) this.release(r);
    this.spool.append(records);
  }

  /** Spool everything held in memory, in order, and probe Slack until the spool drains. */
  private goToDisk(why: string) {
    if (!this.spooling) logger.warn({ destination: this.opts.name, queued: this.queue.length, why }, "Slack unavailable: alerts go to the local spool until it answers");
    this.spooling = true;
    countAlertMessages(this.opts.destination, "spooled", this.queue.length);
    this.toDisk(this.queue.splice(0));
  }

  /** A record leaving memory: later repeats are counted for the window's summary instead. */
  private release(r: AlertRecord) {
    for (const w of this.windows.values()) if (w.pending === r) w.pending = null;
  }

  private nextBatch(): Batch | null {
    const max = this.settings.maxPerMessage;
    if (this.spooling) {
      const records = this.spool.peek(max);
      if (records.length > 0) return { records, fromSpool: true };
      this.backToLive();
      return null;
    }
    return this.queue.length > 0 ? { records: this.queue.slice(0, max), fromSpool: false } : null;
  }

  private backToLive() {
    if (!this.spooling) return;
    this.spooling = false;
    logger.info({ destination: this.opts.name }, "alert spool drained; Slack delivery is live again");
  }

  private async tick(): Promise<void> {
    this.absorb();
    if (this.now() < this.nextAt) return;
    const batch = this.nextBatch() ?? this.nextBatch();
    if (!batch) return;
    const url = await this.opts.resolveUrl().catch(() => null);
    if (!url) {
      // The webhook was removed: nothing can ever deliver these.
      this.finish(batch);
      countAlertMessages(this.opts.destination, "dropped");
      return;
    }
    // From here repeats of these alerts count toward their window's summary, not into this message.
    for (const r of batch.records) this.release(r);
    const body = JSON.stringify(slackMessage(batch.records.map((record) => ({ record, delayed: batch.fromSpool })), { windowMs: this.settings.dedupeWindowMs }));
    const res = await this.post(url, body);
    const now = this.now();
    if (res.status !== null && res.status >= 200 && res.status < 300) {
      this.finish(batch);
      this.failures = 0;
      this.nextAt = now + this.settings.minIntervalMs;
      countAlertMessages(this.opts.destination, "sent");
      this.opts.onOutcome?.({ ok: true, at: new Date(now) });
      return;
    }
    if (res.status === 429) {
      // Rate limited: Slack is up; wait as long as it asks, then send the same batch.
      this.nextAt = now + Math.max(this.settings.minIntervalMs, parseRetryAfter(res.retryAfter, now) ?? 1_000);
      countAlertMessages(this.opts.destination, "retried");
      return;
    }
    const permanent = res.status !== null && res.status < 500 && res.status !== 408;
    const refused = res.error?.startsWith("refused:") ?? false;
    const reason = res.error ?? `HTTP ${res.status} ${(res.body ?? "").slice(0, 100)}`;
    if (permanent || refused) {
      // 400 invalid_payload, 403 invalid_token, 404 no_service, 410 channel gone: retrying won't help.
      logger.warn({ destination: this.opts.name, reason }, "Slack refused the alert message; dropped");
      this.finish(batch);
      this.nextAt = now + this.settings.minIntervalMs;
      countAlertMessages(this.opts.destination, "dropped");
      this.opts.onOutcome?.({ ok: false, at: new Date(now), error: reason });
      return;
    }
    this.failures++;
    countAlertMessages(this.opts.destination, "retried");
    this.opts.onOutcome?.({ ok: false, at: new Date(now), error: reason });
    if (!this.spooling && this.failures >= this.settings.attemptsBeforeSpool) this.goToDisk(reason);
    const cap = this.spooling ? this.settings.probeMaxMs : this.settings.retryMaxMs;
    this.nextAt = now + Math.min(cap, this.settings.retryBaseMs * 2 ** Math.min(20, this.failures - 1));
  }

  private finish(batch: Batch) {
    if (batch.fromSpool) {
      this.spool.commit(batch.records.length);
      if (this.spool.isEmpty) this.backToLive();
    } else {
      this.queue.splice(0, batch.records.length);
      for (const r of batch.records) this.release(r);
    }
  }

  /** Ends the loop; what is still in memory goes to disk, so the next start sends it. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    this.absorb();
    this.closeWindows(Number.POSITIVE_INFINITY);
    if (this.queue.length > 0) {
      countAlertMessages(this.opts.destination, "spooled", this.queue.length);
      this.toDisk(this.queue.splice(0));
    }
  }
}
