// A tenant's own Slack webhook for its alerts: set (encrypted, write-only), remove, test, and the
// cached lookup the alert router uses.
import { getDb } from "@/db";
import { findTenantAlertSettings, recordTenantSlackOutcome, upsertTenantSlackWebhook } from "@/db/queries/alerts";
import { ApiError } from "@/lib/api/errors";
import { recordAudit } from "@/lib/audit/record-audit";
import { BoundedMap } from "@/lib/bounded-map";
import { logger } from "@/lib/logger";
import { assertPublicUrl, UrlRefused } from "@/lib/net/url-guard";
import { createSecret, deleteStoredSecrets, resolveSecretRef, rotateSecret } from "@/lib/secrets/store";
import { actorUserId, type TenantContext } from "@/lib/tenancy/context";
import { slackAlertSettingsOut, slackTestOut, type PutSlackWebhookBody, type SlackAlertSettingsOut, type SlackTestOut } from "@/lib/validations/alerts";
import { deploymentWebhookUrl } from "./deployment";
import { defaultPost } from "./slack-post";
import { slackMessage } from "./slack-message";
import { SharedRequestLimiter } from "@/lib/rate-limit/request-limiter";

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export async function getSlackAlertSettings(ctx: TenantContext): Promise<SlackAlertSettingsOut> {
  const row = await findTenantAlertSettings(getDb(), { tenantId: ctx.tenantId });
  return slackAlertSettingsOut.parse({
    configured: Boolean(row?.slackWebhookRef),
    webhook_host: row?.slackWebhookRef ? row.slackWebhookHost : null,
    deployment_channel: deploymentWebhookUrl() !== null,
    updated_at: iso(row?.updatedAt),
    last_delivered_at: iso(row?.lastDeliveredAt),
    last_error: row?.lastError ?? null,
    last_error_at: iso(row?.lastErrorAt),
  });
}

async function checkWebhookUrl(raw: string): Promise<URL> {
  try {
    return (await assertPublicUrl(raw)).url;
  } catch (err) {
    if (err instanceof UrlRefused) {
      throw new ApiError({ code: "validation_failed", message: "The request is invalid", details: [{ path: "webhook_url", message: err.message }], cause: err });
    }
    throw err;
  }
}

/** Sets or replaces the webhook: the URL is sealed like a provider credential (the ref stays on replace). */
export async function setSlackWebhook(ctx: TenantContext, body: PutSlackWebhookBody): Promise<SlackAlertSettingsOut> {
  const url = await checkWebhookUrl(body.webhook_url);
  await getDb().transaction(async (tx) => {
    const current = await findTenantAlertSettings(tx, { tenantId: ctx.tenantId });
    let ref = current?.slackWebhookRef ?? null;
    if (ref) await rotateSecret(tx, { tenantId: ctx.tenantId, ref, value: url.toString(), rotatedBy: actorUserId(ctx.actor) });
    else ref = (await createSecret(tx, { tenantId: ctx.tenantId, label: "alerts.slack_webhook_url", value: url.toString(), createdBy: actorUserId(ctx.actor) })).ref;
    await upsertTenantSlackWebhook(tx, { tenantId: ctx.tenantId, ref, host: url.hostname, updatedBy: actorUserId(ctx.actor) });
    await recordAudit(tx, ctx, {
      action: current?.slackWebhookRef ? "alerts.slack_webhook.replaced" : "alerts.slack_webhook.set",
      targetType: "tenant_alert_settings",
      targetId: ctx.tenantId,
      details: { host: url.hostname },
    });
  });
  forgetTenantSlackWebhook(ctx.tenantId);
  return getSlackAlertSettings(ctx);
}

export async function removeSlackWebhook(ctx: TenantContext): Promise<void> {
  await getDb().transaction(async (tx) => {
    const current = await findTenantAlertSettings(tx, { tenantId: ctx.tenantId });
    if (!current?.slackWebhookRef) throw ApiError.notFound("Slack webhook");
    await upsertTenantSlackWebhook(tx, { tenantId: ctx.tenantId, ref: null, host: null, updatedBy: actorUserId(ctx.actor) });
    await deleteStoredSecrets(tx, ctx.tenantId, [current.slackWebhookRef]);
    await recordAudit(tx, ctx, { action: "alerts.slack_webhook.removed", targetType: "tenant_alert_settings", targetId: ctx.tenantId, details: { host: current.slackWebhookHost } });
  });
  forgetTenantSlackWebhook(ctx.tenantId);
}

// One test message per tenant every few seconds, across processes: the button must not become a
// way around Slack's pace.
const testLimiter = new SharedRequestLimiter("slack-test", { ratePerSecond: 0.2, burst: 2 }, { leaseMs: 0 });

/**
 * Posts one test alert to the tenant's webhook now and reports Slack's answer. The only alert
 * that does not go through the queue: an admin is waiting to see whether the URL works.
 */
export async function sendSlackTestAlert(ctx: TenantContext): Promise<SlackTestOut> {
  const url = await tenantSlackWebhookUrl(ctx.tenantId, { fresh: true });
  if (!url) throw ApiError.conflict("Set a Slack webhook first");
  const wait = await testLimiter.take(ctx.tenantId);
  if (wait > 0) throw ApiError.rateLimited(wait, "Wait a few seconds between test alerts");
  const now = Date.now();
  const body = JSON.stringify(
    slackMessage([
      {
        record: {
          kind: "test",
          severity: "info",
          title: "Test alert from Herald",
          text: "Alerts about this tenant (circuit breakers, provider configs, dead letters, quotas, integrations, webhook endpoints) will arrive here.",
          tenantId: ctx.tenantId,
          tenantSlug: ctx.tenantSlug,
          firstAt: now,
          lastAt: now,
          count: 1,
        },
      },
    ]),
  );
  const res = await defaultPost(url, body);
  const ok = res.status !== null && res.status >= 200 && res.status < 300;
  const error = ok ? null : (res.error ?? `Slack answered HTTP ${res.status}${res.body ? `: ${res.body.slice(0, 100)}` : ""}`);
  await recordTenantSlackOutcome(getDb(), { tenantId: ctx.tenantId, ok, at: new Date(), error: error ?? undefined });
  await recordAudit(getDb(), ctx, { action: "alerts.slack_webhook.tested", targetType: "tenant_alert_settings", targetId: ctx.tenantId, details: { delivered: ok, status: res.status } });
  return slackTestOut.parse({ delivered: ok, status: res.status, error });
}

const CACHE_MS = 60_000;
// Bounded: keyed by tenant ids that raised alerts.
const cache = new BoundedMap<string, { url: string | null; at: number }>(10_000);

/** The tenant's webhook URL (decrypted), cached for a minute; null when none is set. */
export async function tenantSlackWebhookUrl(tenantId: string, opts: { fresh?: boolean } = {}): Promise<string | null> {
  const hit = cache.get(tenantId);
  if (!opts.fresh && hit && Date.now() - hit.at < CACHE_MS) return hit.url;
  const db = getDb();
  const row = await findTenantAlertSettings(db, { tenantId });
  const url = row?.slackWebhookRef ? await resolveSecretRef(db, tenantId, row.slackWebhookRef) : null;
  cache.set(tenantId, { url, at: Date.now() });
  return url;
}

export function forgetTenantSlackWebhook(tenantId: string): void {
  cache.delete(tenantId);
}

const lastRecorded = new BoundedMap<string, { ok: boolean; at: number }>(10_000);

/** The tenant's "last delivered / last error" status: written when it changes, else at most once a minute. */
export function noteTenantSlackOutcome(tenantId: string, o: { ok: boolean; at: Date; error?: string }): void {
  const prev = lastRecorded.get(tenantId);
  if (prev && prev.ok === o.ok && o.at.getTime() - prev.at < CACHE_MS) return;
  lastRecorded.set(tenantId, { ok: o.ok, at: o.at.getTime() });
  recordTenantSlackOutcome(getDb(), { tenantId, ...o }).catch((err: unknown) => logger.warn({ err, tenantId }, "could not record the Slack delivery status"));
}
