import { randomUUID } from "node:crypto";
import { providerModules } from "@/e2e/simulator/providers";
import { createConfig } from "@/lib/providers/configs";
import { transitionConfig } from "@/lib/providers/config-lifecycle";
import type { TenantContext } from "@/lib/tenancy/context";
import type { ProviderKind } from "@/lib/validations/provider-configs";

/** A valid create body for a provider (credentials are throwaway values; nothing is called). */
export type ConfigBody = Record<string, unknown> & { provider: ProviderKind; display_name: string; credentials: Record<string, string> };

export function configBody(provider: ProviderKind, overrides: Record<string, unknown> = {}): ConfigBody {
  const base = { provider, display_name: `${provider} ${randomUUID().slice(0, 6)}`, api_base_url: "http://127.0.0.1:9" };
  return { ...base, ...providerModules[provider].heraldConfig.sample(), ...overrides } as unknown as ConfigBody;
}

/** Creates a config through the service and activates it (or leaves it in `status`). */
export async function makeConfig(
  ctx: TenantContext,
  provider: ProviderKind,
  opts: { status?: "active" | "paused" | "draft"; overrides?: Record<string, unknown> } = {},
) {
  const created = await createConfig(ctx, configBody(provider, opts.overrides) as never);
  const status = opts.status ?? "active";
  if (status === "draft") return created;
  await transitionConfig(ctx, created.id, "active");
  if (status === "paused") return transitionConfig(ctx, created.id, "paused");
  return { ...created, status: "active" as const };
}
