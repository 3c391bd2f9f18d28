// Callback URLs Herald gives providers, and the per-config token that secures the unsigned ones.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { getDb, type DbOrTx } from "@/db";
import type { ProviderConfig, ProviderKind } from "@/db/schema/provider-configs";
import { createSecret, resolveSecretRef } from "@/lib/secrets/store";
import { actorHasScope, actorUserId, type TenantContext } from "@/lib/tenancy/context";
import { definitionOf } from "./definitions";

/** Herald's public origin for provider callbacks: HERALD_PUBLIC_URL, else NEXTAUTH_URL. */
export function publicBaseUrl(): string {
  return (process.env.HERALD_PUBLIC_URL || process.env.NEXTAUTH_URL || "http://localhost:3000").replace(/\/+$/, "");
}

/** The webhook URL a provider posts delivery reports to for this config (with the real token: for sends). */
export async function callbackUrlFor(config: Pick<ProviderConfig, "id" | "provider" | "tenantId" | "callbackTokenRef">, db: DbOrTx = getDb()) {
  const url = `${publicBaseUrl()}/api/webhooks/${config.provider}/${config.id}`;
  if (!config.callbackTokenRef) return url;
  const token = await resolveSecretRef(db, config.tenantId, config.callbackTokenRef);
  return `${url}?token=${encodeURIComponent(token)}`;
}

/** Stands in for the callback token in URLs shown to members who may not forge delivery reports. */
export const MASKED_CALLBACK_TOKEN = "********";

/**
 * The callback URL as a caller may see it. The token is the only credential on unsigned delivery
 * reports, so only callers who may change configs (configs:write) see it; others get it masked.
 */
export async function shownCallbackUrl(ctx: TenantContext, config: Pick<ProviderConfig, "id" | "provider" | "tenantId" | "callbackTokenRef">, db: DbOrTx) {
  if (!config.callbackTokenRef || actorHasScope(ctx.actor, "configs:write")) return callbackUrlFor(config, db);
  return `${publicBaseUrl()}/api/webhooks/${config.provider}/${config.id}?token=${MASKED_CALLBACK_TOKEN}`;
}

/** A `?token=` callback URL needs a token: created with the config, stored in the secret store. */
export async function createCallbackToken(
  tx: DbOrTx,
  ctx: TenantContext,
  args: { provider: ProviderKind; displayName: string },
): Promise<string | null> {
  if (!definitionOf(args.provider).derived.includes("dlr_callback_url")) return null;
  const token = await createSecret(tx, {
    tenantId: ctx.tenantId,
    label: `${args.provider} callback token for "${args.displayName}"`,
    value: randomBytes(24).toString("base64url"),
    createdBy: actorUserId(ctx.actor),
  });
  return token.ref;
}

/** Checks the `?token=` of an unsigned provider callback against the config's token, in constant time. */
export async function verifyCallbackToken(config: Pick<ProviderConfig, "tenantId" | "callbackTokenRef">, token: string | null): Promise<boolean> {
  if (!config.callbackTokenRef || !token) return false;
  const expected = Buffer.from(await resolveSecretRef(getDb(), config.tenantId, config.callbackTokenRef));
  const given = Buffer.from(token);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
