// Routes raised alerts to Slack: the deployment's webhook and each tenant's own, one SlackChannel
// (queue, dedupe, pacing, spool) per webhook. Started once per process that sends (the custom
// server's primary, `npm run worker`); cluster web processes hand their alerts to the primary.
import { readdirSync } from "node:fs";
import path from "node:path";
import { getDb } from "@/db";
import { findTenantById } from "@/db/queries/tenants";
import { BoundedMap } from "@/lib/bounded-map";
import { logger } from "@/lib/logger";
import type { Alert } from "./alert";
import { deploymentWebhookUrl } from "./deployment";
import { setAlertSink } from "./raise-alert";
import { SlackChannel } from "./slack-channel";
import type { ChannelSettings } from "./slack-post";
import { noteTenantSlackOutcome, tenantSlackWebhookUrl } from "./tenant-slack";

/** Where alerts wait while Slack is unreachable. */
export function alertSpoolDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.HERALD_ALERT_SPOOL_DIR ?? path.join(env.HERALD_DATA_DIR ?? ".data", "alert-spool"));
}

/** Alerts waiting to be routed; past this the oldest are dropped (a flood must not eat the heap). */
const MAX_PENDING = 10_000;

export class AlertRouter {
  private readonly channels = new Map<string, SlackChannel>();
  private pending: Alert[] = [];
  private draining: Promise<void> | null = null;
  private dropped = 0;

  constructor(private readonly opts: { spoolDir: string; settings?: Partial<ChannelSettings> }) {}

  raise(alert: Alert) {
    this.pending.push(alert);
    if (this.pending.length > MAX_PENDING) {
      this.pending.shift();
      if (this.dropped++ % 1000 === 0) logger.warn({ dropped: this.dropped }, "alert intake overflowing; oldest alerts dropped");
    }
    this.draining ??= this.drain().finally(() => (this.draining = null));
  }

  private channel(name: string, make: () => SlackChannel): SlackChannel {
    let c = this.channels.get(name);
    if (!c) this.channels.set(name, (c = make()));
    return c;
  }

  private deploymentChannel(): SlackChannel {
    return this.channel("deployment", () => new SlackChannel({ destination: "deployment", name: "deployment", resolveUrl: async () => deploymentWebhookUrl(), spoolDir: this.opts.spoolDir, settings: this.opts.settings }));
  }

  private tenantChannel(tenantId: string): SlackChannel {
    return this.channel(`tenant-${tenantId}`, () =>
      new SlackChannel({
        destination: "tenant",
        name: `tenant-${tenantId}`,
        resolveUrl: () => tenantSlackWebhookUrl(tenantId),
        spoolDir: this.opts.spoolDir,
        settings: this.opts.settings,
        onOutcome: (o) => noteTenantSlackOutcome(tenantId, o),
      }),
    );
  }

  /**
   * Alerts an earlier run left on disk (a shutdown, or a process that died while Slack was away)
   * are sent at start, not only once a new alert comes: the channels that own spool files open now.
   */
  resumeSpooled(): void {
    let names: string[];
    try {
      names = readdirSync(this.opts.spoolDir);
    } catch {
      return; // no spool yet
    }
    for (const name of names) {
      const m = /^(deployment|tenant-([0-9a-f-]{36}))\..*\.jsonl$/.exec(name);
      if (!m || this.channels.has(m[1]!)) continue;
      if (m[2]) this.tenantChannel(m[2]);
      else if (deploymentWebhookUrl()) this.deploymentChannel();
    }
  }

  private async drain() {
    // Yield first: a burst raised in one tick is routed together.
    await new Promise((r) => setImmediate(r));
    while (this.pending.length > 0) {
      let alert = this.pending.shift()!;
      if (alert.tenantId && !alert.tenantSlug) alert = { ...alert, tenantSlug: await tenantSlugOf(alert.tenantId) };
      if (deploymentWebhookUrl()) this.deploymentChannel().push(alert);
      // Error log lines are the operator's business; everything about a tenant also goes to its own webhook.
      const tenantId = alert.tenantId;
      if (tenantId && alert.kind !== "error_log") {
        const url = await tenantSlackWebhookUrl(tenantId).catch((err: unknown) => {
          logger.warn({ err, tenantId }, "could not read the tenant's Slack webhook");
          return null;
        });
        if (url) this.tenantChannel(tenantId).push(alert);
      }
    }
    this.forgetIdle();
  }

  /** Tenant channels with nothing left to send are let go (their spool files are gone too). */
  private forgetIdle() {
    if (this.channels.size < 100) return;
    for (const [name, c] of this.channels) if (name !== "deployment" && c.idle) this.channels.delete(name);
  }

  async stop() {
    await this.draining;
    await Promise.all([...this.channels.values()].map((c) => c.stop()));
    this.channels.clear();
  }
}

// Slugs read an alert more easily than ids; cached (tenant slugs don't change), bounded.
const slugs = new BoundedMap<string, string | null>(10_000);

async function tenantSlugOf(tenantId: string): Promise<string | null> {
  const hit = slugs.get(tenantId);
  if (hit !== undefined) return hit;
  const slug = (await findTenantById(getDb(), { tenantId }).catch(() => undefined))?.slug ?? null;
  slugs.set(tenantId, slug);
  return slug;
}

let running: AlertRouter | undefined;

/** Starts this process's router (idempotent): raiseAlert() sends through it from now on. */
export function startAlertRouter(opts: { spoolDir?: string; settings?: Partial<ChannelSettings> } = {}): void {
  if (running) return;
  const router = new AlertRouter({ spoolDir: opts.spoolDir ?? alertSpoolDir(), settings: opts.settings });
  running = router;
  setAlertSink((a) => router.raise(a));
  router.resumeSpooled();
}

/** On shutdown: whatever is still queued goes to the spool, and the next start sends it. */
export async function stopAlerts(): Promise<void> {
  const r = running;
  running = undefined;
  setAlertSink(undefined);
  await r?.stop();
}
