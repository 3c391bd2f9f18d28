// Error-level log lines, reported: to Sentry (when SENTRY_DSN is set) with the request's scope,
// and to the deployment's Slack channel as `error_log` alerts (when HERALD_SLACK_WEBHOOK_URL is set).
import { raiseAlert } from "@/lib/alerts/raise-alert";
import { deploymentWebhookUrl } from "@/lib/alerts/deployment";
import { errorText, logContext, setErrorLogSink } from "@/lib/logger";
import { isSensitiveKey, scrubText } from "./scrub";
import { sentry } from "./sentry";

/** Fields of a log line that name what failed (ids, kinds): copied into the report; anything else stays in the log. */
const REPORTED_FIELDS = ["workflow", "functionId", "runId", "configId", "provider", "kind", "event", "endpointId", "attempts", "pid", "code"];

function reportErrorLine(args: unknown[], level: number) {
  const first = args[0];
  const obj = first && typeof first === "object" && !(first instanceof Error) ? (first as Record<string, unknown>) : {};
  const err = first instanceof Error ? first : obj.err;
  const msg = typeof first === "string" ? first : typeof args[1] === "string" ? args[1] : err instanceof Error ? err.message : "error";
  const fields: Record<string, string> = {};
  for (const k of REPORTED_FIELDS) {
    const v = obj[k];
    if (!isSensitiveKey(k) && (typeof v === "string" || typeof v === "number")) fields[k] = String(v).slice(0, 200);
  }
  const detail = err !== undefined ? errorText(err) : typeof obj.error === "string" ? obj.error : "";
  const log = logContext();
  // A line logged outside a request or run may name its tenant itself.
  const ctx = { ...log, tenantId: log.tenantId ?? (typeof obj.tenantId === "string" ? obj.tenantId : undefined) };

  const s = sentry();
  if (s) {
    const tags: Record<string, string> = { ...(ctx.tenantId ? { tenant_id: ctx.tenantId } : {}), ...(ctx.runId ? { run_id: ctx.runId } : {}) };
    if (fields.workflow || fields.functionId) tags.workflow = fields.workflow ?? fields.functionId!;
    if (fields.configId) tags.config_id = fields.configId;
    const extra = { log_message: msg, ...fields };
    s.captureException(err instanceof Error ? err : new Error(detail ? `${msg}: ${detail}` : msg), { tags, extra });
  }

  if (deploymentWebhookUrl()) {
    const where = Object.entries({ ...fields, requestId: ctx.requestId, tenantId: ctx.tenantId, runId: ctx.runId })
      .filter(([, v]) => v)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ");
    raiseAlert({
      kind: "error_log",
      severity: "error",
      title: `${level >= 60 ? "Fatal" : "Error"}: ${scrubText(msg)}`,
      text: [detail.slice(0, 2000), where].filter(Boolean).join("\n"),
      tenantId: ctx.tenantId ?? null,
      // One line that keeps failing is one alert with a count, whatever its ids.
      dedupeKey: `${msg}|${detail.split("\n")[0]!.slice(0, 200)}`,
    });
  }
}

/** Installs the sink for this process (idempotent). */
export function installErrorLogSink(): void {
  setErrorLogSink(reportErrorLine);
}
