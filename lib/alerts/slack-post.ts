// The HTTP side of Slack alerts: one POST to an incoming webhook, and the pacing settings.
import { loopbackAllowed } from "@/lib/net/url-guard";
import { postWebhook } from "@/lib/net/post-webhook";
import { MAX_BLOCKS } from "./slack-message";

export interface PostResult {
  status: number | null;
  retryAfter: string | null;
  error: string | null;
  body: string | null;
}
export type PostJson = (url: string, body: string) => Promise<PostResult>;

export interface ChannelSettings {
  /** Least time between two messages to this webhook (Slack: about one per second). */
  minIntervalMs: number;
  /** Backoff after a 5xx or network error: base · 2^(failures−1), capped at retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Failed tries of a message before the queue goes to disk and Slack is probed at most every `probeMaxMs`. */
  attemptsBeforeSpool: number;
  probeMaxMs: number;
  /** Identical alerts within this window are counted into one ("×14 in 5 min"). */
  dedupeWindowMs: number;
  /** Alerts held in memory before the rest go to disk. */
  maxQueue: number;
  /** Alerts per message (≤ 50 blocks). */
  maxPerMessage: number;
  timeoutMs: number;
}

export function channelSettings(env: NodeJS.ProcessEnv = process.env): ChannelSettings {
  const n = (name: string, fallback: number) => {
    const v = Number(env[name]);
    return env[name] && Number.isFinite(v) && v >= 0 ? v : fallback;
  };
  return {
    minIntervalMs: n("HERALD_ALERT_MIN_INTERVAL_MS", 1_000),
    retryBaseMs: n("HERALD_ALERT_RETRY_BASE_MS", 1_000),
    retryMaxMs: n("HERALD_ALERT_RETRY_MAX_MS", 30_000),
    attemptsBeforeSpool: Math.max(1, n("HERALD_ALERT_ATTEMPTS_BEFORE_SPOOL", 4)),
    probeMaxMs: n("HERALD_ALERT_PROBE_MAX_MS", 60_000),
    dedupeWindowMs: n("HERALD_ALERT_DEDUPE_WINDOW_MS", 5 * 60_000),
    maxQueue: Math.max(1, n("HERALD_ALERT_MAX_QUEUE", 500)),
    maxPerMessage: Math.min(MAX_BLOCKS, Math.max(1, n("HERALD_ALERT_MAX_PER_MESSAGE", MAX_BLOCKS))),
    timeoutMs: n("HERALD_ALERT_TIMEOUT_MS", 10_000),
  };
}

export const defaultPost: PostJson = async (url, body) =>
  postWebhook(new URL(url), body, {}, { timeoutMs: channelSettings().timeoutMs, allowLoopback: loopbackAllowed(), userAgent: "Herald-Alerts/1.0" });
