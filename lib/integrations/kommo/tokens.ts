// Kommo's OAuth tokens: stored encrypted (lib/secrets), refreshed before they expire by one
// claimant at a time (the claim is a lease on the integration row; the HTTP call runs outside any
// transaction), and a refused grant moves the integration to `error` once, with an alert.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { getDb } from "@/db";
import { claimKommoRefresh, failKommoIntegration, findKommoIntegration, recordKommoTokens, updateKommoIntegration } from "@/db/queries/kommo";
import type { KommoIntegration } from "@/db/schema";
import { alertIntegrationFailed } from "@/lib/alerts/ops-alerts";
import { logger } from "@/lib/logger";
import { createSecret, resolveSecretRef, rotateSecret } from "@/lib/secrets/store";
import { derivedKey } from "@/lib/secrets/crypto";
import { requestKommoTokens, type KommoCallTarget, type KommoTokens } from "./client";
import { IntegrationPermanentError, IntegrationTransientError, KommoGrantRevokedError } from "./errors";

/** Refresh when the access token has less than this left (the scheduled refresh runs far earlier). */
const REFRESH_MARGIN_MS = 60_000;
const REFRESH_LEASE_MS = 30_000;
/** Kommo's refresh tokens live three months. */
const REFRESH_TOKEN_LIFETIME_MS = 90 * 86_400_000;

export function kommoTarget(row: Pick<KommoIntegration, "tenantId" | "id" | "subdomain">): KommoCallTarget {
  return { tenantId: row.tenantId, integrationId: row.id, subdomain: row.subdomain };
}

// ---- OAuth state: signed, expiring, single use (the nonce is stored and cleared on redemption) ----

const STATE_TTL_MS = 15 * 60_000;

function stateMac(payload: string): string {
  return createHmac("sha256", derivedKey("herald/kommo-oauth-state/v1")).update(payload).digest("base64url");
}

export function newOauthState(integrationId: string, now = Date.now()): { state: string; nonce: string } {
  const nonce = randomBytes(16).toString("base64url");
  const payload = `${integrationId}.${nonce}.${now + STATE_TTL_MS}`;
  return { state: `${payload}.${stateMac(payload)}`, nonce };
}

/** The integration id and nonce of a state Herald signed and that has not expired; null otherwise. */
export function verifyOauthState(state: string, now = Date.now()): { integrationId: string; nonce: string } | null {
  const parts = state.split(".");
  if (parts.length !== 4) return null;
  const [integrationId, nonce, exp, mac] = parts as [string, string, string, string];
  const expected = Buffer.from(stateMac(`${integrationId}.${nonce}.${exp}`));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  if (!(Number(exp) > now)) return null;
  return { integrationId, nonce };
}

// ---- storing and refreshing ----

/** Stores a token pair encrypted (new secrets the first time, rotated in place after) and bumps the version. */
export async function storeKommoTokens(row: KommoIntegration, tokens: KommoTokens, opts: { activate: boolean }): Promise<KommoIntegration> {
  const now = Date.now();
  return getDb().transaction(async (tx) => {
    const put = async (ref: string | null, label: string, value: string) => {
      if (ref) {
        await rotateSecret(tx, { tenantId: row.tenantId, ref, value, rotatedBy: null });
        return ref;
      }
      return (await createSecret(tx, { tenantId: row.tenantId, label, value, createdBy: null })).ref;
    };
    const accessTokenRef = await put(row.accessTokenRef, "kommo.access_token", tokens.accessToken);
    const refreshTokenRef = await put(row.refreshTokenRef, "kommo.refresh_token", tokens.refreshToken);
    const updated = await recordKommoTokens(tx, {
      tenantId: row.tenantId,
      id: row.id,
      accessTokenRef,
      refreshTokenRef,
      accessExpiresAt: new Date(now + tokens.expiresIn * 1000),
      refreshExpiresAt: new Date(now + REFRESH_TOKEN_LIFETIME_MS),
      activate: opts.activate,
    });
    if (!updated) throw new IntegrationPermanentError("The integration no longer exists", "integration_gone");
    return updated;
  });
}

/** Moves the integration to `error` with the reason; alerts admins once (only the call that made the change). */
export async function markKommoRevoked(row: Pick<KommoIntegration, "tenantId" | "id" | "subdomain">, reason: string): Promise<void> {
  const changed = await failKommoIntegration(getDb(), { tenantId: row.tenantId, id: row.id, reason });
  if (!changed) return;
  logger.warn({ tenantId: row.tenantId, integrationId: row.id }, "Kommo integration moved to error");
  alertIntegrationFailed({ tenantId: row.tenantId, integration: `Kommo (${row.subdomain})`, integrationId: row.id, message: reason });
}

/** An access token valid for at least another minute, refreshing first when needed. */
export async function kommoAccessToken(row: KommoIntegration): Promise<string> {
  if (row.status !== "active" || !row.accessTokenRef) throw new IntegrationPermanentError(`The Kommo integration is ${row.status}, not active`, "integration_not_active");
  if (row.accessExpiresAt && row.accessExpiresAt.getTime() - Date.now() > REFRESH_MARGIN_MS) {
    return resolveSecretRef(getDb(), row.tenantId, row.accessTokenRef);
  }
  const fresh = await refreshKommoTokens(row);
  return resolveSecretRef(getDb(), fresh.tenantId, fresh.accessTokenRef!);
}

/**
 * Rotates the token pair of the version `row` holds. Exactly one caller refreshes a version: the
 * others wait for its result. A network failure releases the claim: the old refresh token keeps
 * working until the new one is used, so the retry is safe. A refused refresh → `error`.
 */
export async function refreshKommoTokens(row: KommoIntegration): Promise<KommoIntegration> {
  const claimed = await claimKommoRefresh(getDb(), { tenantId: row.tenantId, id: row.id, version: row.tokenVersion, leaseMs: REFRESH_LEASE_MS });
  if (!claimed) return waitForRefresh(row);
  let tokens: KommoTokens;
  try {
    const [clientSecret, refreshToken] = await Promise.all([
      resolveSecretRef(getDb(), row.tenantId, claimed.clientSecretRef),
      resolveSecretRef(getDb(), row.tenantId, claimed.refreshTokenRef!),
    ]);
    tokens = await requestKommoTokens(kommoTarget(claimed), {
      grant: "refresh_token",
      clientId: claimed.clientId,
      clientSecret,
      redirectUri: claimed.redirectUri,
      refreshToken,
    });
  } catch (err) {
    if (err instanceof KommoGrantRevokedError) {
      await markKommoRevoked(claimed, `Kommo refused the token refresh: ${err.message}`);
    } else {
      await updateKommoIntegration(getDb(), { tenantId: row.tenantId, id: row.id, patch: { refreshClaimedUntil: null } });
    }
    throw err;
  }
  return storeKommoTokens(claimed, tokens, { activate: false });
}

async function waitForRefresh(row: KommoIntegration): Promise<KommoIntegration> {
  const deadline = Date.now() + REFRESH_LEASE_MS;
  while (Date.now() < deadline) {
    const now = await findKommoIntegration(getDb(), { tenantId: row.tenantId, id: row.id });
    if (!now) throw new IntegrationPermanentError("The integration no longer exists", "integration_gone");
    if (now.status === "error") throw new KommoGrantRevokedError(now.errorReason ?? "The Kommo grant was revoked");
    if (now.tokenVersion !== row.tokenVersion) return now;
    // The claim lapsed or was released without a new version: take it ourselves.
    if (!now.refreshClaimedUntil || now.refreshClaimedUntil.getTime() < Date.now()) return refreshKommoTokens(now);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new IntegrationTransientError("Another worker's token refresh did not finish in time");
}
