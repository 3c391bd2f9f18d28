// Alerts as one Slack message (Block Kit): a section per alert, within Slack's limits — at most
// 50 blocks per message and 3,000 characters per section text; `text` is the notification fallback.
import type { AlertRecord, AlertSeverity } from "./alert";

export const MAX_BLOCKS = 50;
export const MAX_SECTION_CHARS = 3000;
const MAX_FALLBACK_CHARS = 3000;

const ICON: Record<AlertSeverity, string> = { error: ":red_circle:", warning: ":warning:", info: ":large_blue_circle:" };

/** Slack's mrkdwn control characters; escaping them also stops `<!channel>` or link injection. */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function cut(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function utc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

function minutes(ms: number): string {
  const m = Math.max(1, Math.round(ms / 60_000));
  return `${m} min`;
}

/** One alert's section text, ≤ 3,000 characters. */
export function sectionText(r: AlertRecord, opts: { delayed?: boolean; windowMs?: number } = {}): string {
  const times = r.count > 1 ? ` ×${r.count} in ${minutes(Math.max(r.lastAt - r.firstAt, opts.windowMs ?? 0))}` : "";
  const head = `${ICON[r.severity]} *${escapeMrkdwn(cut(r.title, 300))}*${times}`;
  const when = r.count > 1 ? `${utc(r.firstAt)} – ${utc(r.lastAt)}` : utc(r.firstAt);
  const meta = [r.tenantSlug ? `tenant ${r.tenantSlug}` : r.tenantId ? `tenant ${r.tenantId}` : "deployment", r.kind, when]
    .concat(opts.delayed ? ["delayed: Slack was unreachable when it was raised"] : [])
    .map(escapeMrkdwn)
    .join(" · ");
  const footer = `\n_${meta}_`;
  const room = MAX_SECTION_CHARS - head.length - footer.length - 1;
  const body = r.text ? `\n${cut(escapeMrkdwn(r.text), Math.max(0, room))}` : "";
  return cut(`${head}${body}${footer}`, MAX_SECTION_CHARS);
}

export interface SlackPayload {
  text: string;
  blocks: { type: "section"; text: { type: "mrkdwn"; text: string } }[];
}

/** A message of up to MAX_BLOCKS alerts (the caller batches). */
export function slackMessage(records: readonly { record: AlertRecord; delayed?: boolean }[], opts: { windowMs?: number } = {}): SlackPayload {
  if (records.length === 0 || records.length > MAX_BLOCKS) throw new Error(`a Slack message holds 1–${MAX_BLOCKS} alerts, not ${records.length}`);
  const delayed = records.some((r) => r.delayed);
  const fallback = `Herald: ${records.length === 1 ? records[0]!.record.title : `${records.length} alerts`}${delayed ? " (delayed)" : ""}`;
  return {
    text: escapeMrkdwn(cut(fallback, MAX_FALLBACK_CHARS)),
    blocks: records.map((r) => ({ type: "section", text: { type: "mrkdwn", text: sectionText(r.record, { delayed: r.delayed, windowMs: opts.windowMs }) } })),
  };
}
