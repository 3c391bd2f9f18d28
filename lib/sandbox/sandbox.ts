// Sandbox providers: the built-in provider simulator inside the Herald process, and clearly labelled
// configs that send to it, so a newcomer sees queued → sent → delivered → opened without any
// account anywhere. Development only: refused whenever NODE_ENV is production.
import type { Simulator } from "@/e2e/simulator/server";
import { getDb } from "@/db";
import { listProviderConfigs } from "@/db/queries/provider-configs";
import { findTenantBySlug } from "@/db/queries/tenants";
import { DEMO_TENANT } from "@/db/seed";
import { createApiKey } from "@/lib/auth/api-keys";
import { ApiError } from "@/lib/api/errors";
import { logger } from "@/lib/logger";
import { publicBaseUrl } from "@/lib/providers/callback-urls";
import { transitionConfig } from "@/lib/providers/config-lifecycle";
import { createConfig, updateConfig } from "@/lib/providers/configs";
import { systemContext, type TenantContext } from "@/lib/tenancy/context";
import type { ProviderConfigOut, ProviderKind } from "@/lib/validations/provider-configs";
import { SANDBOX_PREFIX } from "./names";
import { registerSandbox } from "./sandbox-hook";

/** One sandbox config per channel; the names say what they are wherever configs are listed. */
export const SANDBOX_PROVIDERS = [
  { provider: "sendgrid", name: `${SANDBOX_PREFIX}Email (SendGrid)`, extra: { from_email: "sandbox@example.com", from_name: "Herald sandbox" } },
  { provider: "elks", name: `${SANDBOX_PREFIX}SMS (46elks)`, extra: { sender_id: "Herald" } },
  { provider: "fcm", name: `${SANDBOX_PREFIX}Push (FCM)`, extra: {} },
  { provider: "whatsapp", name: `${SANDBOX_PREFIX}WhatsApp`, extra: {} },
] as const satisfies readonly { provider: ProviderKind; name: string; extra: Record<string, unknown> }[];


/** Why the sandbox may not run here, or null when it may. */
export function sandboxRefusal(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.NODE_ENV === "production") return "The sandbox is never available when NODE_ENV is production";
  if (env.HERALD_SANDBOX === "false") return "The sandbox is turned off (HERALD_SANDBOX=false)";
  return null;
}

const key = Symbol.for("herald.sandbox");
type G = typeof globalThis & { [key]?: Promise<Simulator> };

/**
 * The in-process simulator on a free loopback port (one per process; Next's copy of lib/ finds the
 * same one through globalThis). Loopback provider URLs are allowed for this process only.
 */
export async function startSandboxSimulator(env: NodeJS.ProcessEnv = process.env): Promise<Simulator> {
  const refusal = sandboxRefusal(env);
  if (refusal) throw ApiError.forbidden(refusal);
  const g = globalThis as G;
  g[key] ??= (async () => {
    const { startSimulator } = await import("@/e2e/simulator/server");
    const sim = await startSimulator({ port: 0, host: "127.0.0.1", webhookDelayMs: 300 });
    const hosts = new Set((env.HERALD_PROVIDER_URL_ALLOW_HOSTS ?? "").split(",").map((h) => h.trim()).filter(Boolean));
    hosts.add("127.0.0.1");
    env.HERALD_PROVIDER_URL_ALLOW_HOSTS = [...hosts].join(",");
    startAutoOpens(sim);
    logger.info({ url: sim.url }, "sandbox provider simulator started (nothing leaves this machine)");
    return sim;
  })();
  return g[key];
}

/** The running sandbox simulator, if this process started one. */
export function runningSandbox(): Promise<Simulator> | undefined {
  return (globalThis as G)[key];
}

/**
 * Sandbox emails are "opened" a moment after delivery (a real recipient would), through the same
 * signed webhook as any other event. The simulator's ring buffer bounds the messages it looks at.
 */
function startAutoOpens(sim: Simulator) {
  const opened = new Set<string>();
  const timer = setInterval(() => {
    const cutoff = Date.now() - 1500;
    for (const m of sim.listMessages({ provider: "sendgrid" })) {
      if (opened.has(m.id) || Date.parse(m.createdAt) > cutoff) continue;
      opened.add(m.id);
      void sim.triggerEvent({ messageId: m.id, event: "open" }).catch(() => {});
    }
    if (opened.size > 10_000) opened.clear();
  }, 1000);
  timer.unref();
}

/** Where the simulator posts an account's webhooks: the config's signed webhook route (46elks: its token URL). */
function webhookUrlOf(config: ProviderConfigOut): string {
  return config.dlr_callback_url ?? `${publicBaseUrl()}/api/webhooks/${config.provider}/${config.id}`;
}

/**
 * Gives the tenant one active sandbox config per channel, each bound to a fresh simulator account
 * (the simulator forgets its accounts when Herald stops: existing sandbox configs are re-bound).
 */
export async function ensureSandboxConfigs(ctx: TenantContext, env: NodeJS.ProcessEnv = process.env): Promise<ProviderConfigOut[]> {
  const sim = await startSandboxSimulator(env);
  const { moduleOf } = await import("@/e2e/simulator/providers");
  const existing = await listProviderConfigs(getDb(), { tenantId: ctx.tenantId, limit: 500 });
  const out: ProviderConfigOut[] = [];
  for (const s of SANDBOX_PROVIDERS) {
    const account = sim.createAccount({ provider: s.provider, label: s.name });
    const simModule = moduleOf(s.provider)!;
    // The simulator's sample settings (sender names, ids) with this account's credentials.
    const { credentials: _sample, ...sampleSettings } = simModule.heraldConfig.sample() as Record<string, unknown>;
    const bound = simModule.heraldConfig.forAccount(account as never, sim.url) as Record<string, unknown>;
    const body = { ...sampleSettings, ...s.extra, ...bound, api_base_url: sim.url };
    const current = existing.find((c) => c.provider === s.provider && c.displayName === s.name && c.status !== "decommissioned");
    let config = current
      ? await updateConfig(ctx, current.id, body as never)
      : await createConfig(ctx, { provider: s.provider, display_name: s.name, ...body } as never);
    if (config.status === "draft" || config.status === "paused") config = await transitionConfig(ctx, config.id, "active");
    sim.updateAccount(account.id, { webhookUrl: webhookUrlOf(config) });
    out.push(config);
  }
  return out;
}

/**
 * At start on the embedded default database (development): the demo tenant's sandbox configs are
 * bound to this process's simulator. On the start that created the demo tenant, an API key for
 * a first send is created and returned with a ready `curl` (printed once, stored nowhere in clear).
 */
export async function startDemoSandbox(opts: { firstStart: boolean }): Promise<{ curl: string | null } | null> {
  if (sandboxRefusal()) return null;
  const tenant = await findTenantBySlug(getDb(), { slug: DEMO_TENANT.slug });
  if (!tenant) return null;
  const ctx = systemContext(tenant, "sandbox");
  const configs = await ensureSandboxConfigs(ctx);
  // POST /api/v1/sandbox gives other tenants of this development process theirs.
  registerSandbox((c) => ensureSandboxConfigs(c));
  if (!opts.firstStart) return { curl: null };
  const { key } = await createApiKey(ctx, { name: "Sandbox first send", scopes: ["messages:send", "messages:read"] });
  const email = configs.find((c) => c.provider === "sendgrid")!;
  const body = JSON.stringify({ channel: "email", config_id: email.id, to: [{ email: "you@example.com" }], subject: "Hello from Herald", body_text: "My first send" });
  const curl = `curl -s -X POST ${publicBaseUrl()}/api/v1/messages -H 'Authorization: Bearer ${key}' -H 'Content-Type: application/json' -d '${body}'`;
  return { curl };
}
