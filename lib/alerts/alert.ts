// What an operational alert is: the shape every module raises and the Slack sinks carry.

export const alertKinds = [
  "error_log",
  "breaker_opened",
  "breaker_closed",
  "config_error",
  "dead_letters",
  "quota",
  "integration_failed",
  "webhook_endpoint_disabled",
  "otp_pumping_blocked",
  "test",
] as const;
export type AlertKind = (typeof alertKinds)[number];

export type AlertSeverity = "info" | "warning" | "error";

export interface Alert {
  kind: AlertKind;
  severity: AlertSeverity;
  /** One line, e.g. "Circuit breaker opened: SendGrid (marketing)". */
  title: string;
  /** Details; scrubbed of emails and phone numbers and cut to fit one Slack section. */
  text?: string;
  /** Set for a tenant's alert: it also goes to the tenant's own webhook when one is set. */
  tenantId?: string | null;
  tenantSlug?: string | null;
  /** Identical alerts (same kind, tenant and key) within the dedupe window are counted, not repeated. Default: the title. */
  dedupeKey?: string;
}

/** An alert as queued and spooled: stamped, and with its repeats counted. */
export interface AlertRecord {
  kind: AlertKind;
  severity: AlertSeverity;
  title: string;
  text: string;
  tenantId: string | null;
  tenantSlug: string | null;
  /** When it was raised (ms since the epoch), and when its last counted repeat was. */
  firstAt: number;
  lastAt: number;
  /** Occurrences this record stands for (1, or more once repeats are folded in). */
  count: number;
  /** A window's summary of repeats sent after the first alert ("×14 in 5 min"). */
  summary?: boolean;
}

export function dedupeKeyOf(a: Pick<Alert, "kind" | "tenantId" | "dedupeKey" | "title">): string {
  return `${a.kind}|${a.tenantId ?? ""}|${a.dedupeKey ?? a.title}`;
}
