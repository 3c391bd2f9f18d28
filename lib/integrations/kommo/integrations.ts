// The Kommo → Unisender integration as tenants operate it: register, authorize (OAuth), set the
// Unisender key and lists, sync, the operations of the original API, and the request log.
import { randomBytes, randomUUID } from "node:crypto";
import { getDb, type DbOrTx } from "@/db";
import {
  countKommoContacts,
  countPendingKommoWebhooks,
  findKommoIntegration,
  insertKommoIntegration,
  listKommoIntegrations,
  listKommoRequestLog,
  redeemKommoOauthState,
  updateKommoIntegration,
} from "@/db/queries/kommo";
import type { KommoIntegration } from "@/db/schema";
import { ApiError } from "@/lib/api/errors";
import { recordAudit } from "@/lib/audit/record-audit";
import { emitEvent } from "@/lib/jobs/emit";
import { publicBaseUrl } from "@/lib/providers/callback-urls";
import { createSecret, refExists, resolveSecretRef } from "@/lib/secrets/store";
import { actorHasScope, type TenantContext } from "@/lib/tenancy/context";
import type { CreateKommoIntegrationBody, KommoIntegrationOut, KommoRequestLogOut, SetUnisenderBody } from "@/lib/validations/kommo";
import { getUnisenderContact, importUnisenderContacts } from "@/lib/integrations/unisender/client";
import { fetchKommoContactsPage, kommoConsentUrl, requestKommoTokens, type KommoApiContact } from "./client";
import { IntegrationPermanentError, IntegrationTransientError, KommoGrantRevokedError } from "./errors";
import { removeFromUnisender, stateFromApi, unisenderTarget } from "./mirror";
import { requestKommoSync } from "./sync";
import { kommoAccessToken, kommoTarget, markKommoRevoked, newOauthState, storeKommoTokens, verifyOauthState } from "./tokens";
import { hashWebhookToken } from "./webhooks";

export const KOMMO_CALLBACK_PATH = "/api/v1/integrations/kommo/oauth/callback";
const MASK = "********";

async function mustFind(ctx: TenantContext, id: string): Promise<KommoIntegration> {
  const row = await findKommoIntegration(getDb(), { tenantId: ctx.tenantId, id });
  if (!row) throw ApiError.notFound("Kommo integration");
  return row;
}

async function toOut(ctx: TenantContext, row: KommoIntegration): Promise<KommoIntegrationOut> {
  const db = getDb();
  const [token, mirrored, pending] = await Promise.all([
    actorHasScope(ctx.actor, "integrations:write") ? resolveSecretRef(db, row.tenantId, row.webhookTokenRef) : Promise.resolve(MASK),
    countKommoContacts(db, { tenantId: row.tenantId, integrationId: row.id }),
    countPendingKommoWebhooks(db, { tenantId: row.tenantId, integrationId: row.id }),
  ]);
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return {
    id: row.id,
    subdomain: row.subdomain,
    client_id: row.clientId,
    client_secret_ref: row.clientSecretRef,
    redirect_uri: row.redirectUri,
    webhook_url: `${publicBaseUrl()}/api/webhooks/kommo/${row.id}?token=${token}`,
    status: row.status,
    error_reason: row.errorReason,
    access_expires_at: iso(row.accessExpiresAt),
    unisender: { api_key_set: Boolean(row.unisenderKeyRef), api_key_ref: row.unisenderKeyRef, list_ids: row.unisenderListIds, delete_mode: row.deleteMode },
    sync: {
      status: row.syncStatus,
      pages: row.syncPages,
      contacts: row.syncContacts,
      pushed: row.syncPushed,
      error: row.syncError,
      updated_from: iso(row.syncUpdatedFrom),
      started_at: iso(row.syncStartedAt),
      finished_at: iso(row.syncFinishedAt),
    },
    mirrored_contacts: mirrored,
    pending_webhooks: pending,
    created_at: row.createdAt.toISOString(),
  };
}

async function secretFrom(ctx: TenantContext, input: { value?: string; ref?: string; label: string }, db: DbOrTx): Promise<string> {
  if (input.ref) {
    if (!(await refExists(db, ctx.tenantId, input.ref))) throw new ApiError({ code: "validation_failed", message: "The request is invalid", details: [{ path: `${input.label}_ref`, message: "No such secret in this tenant" }] });
    return input.ref;
  }
  return (await createSecret(db, { tenantId: ctx.tenantId, label: `kommo.${input.label}`, value: input.value!, createdBy: ctx.actor.type === "user" ? ctx.actor.userId : null })).ref;
}

export async function createKommoIntegration(ctx: TenantContext, body: CreateKommoIntegrationBody): Promise<KommoIntegrationOut> {
  const webhookToken = randomBytes(24).toString("base64url");
  const row = await getDb().transaction(async (tx) => {
    const clientSecretRef = await secretFrom(ctx, { value: body.client_secret, ref: body.client_secret_ref, label: "client_secret" }, tx);
    const tokenRef = (await createSecret(tx, { tenantId: ctx.tenantId, label: "kommo.webhook_token", value: webhookToken, createdBy: null })).ref;
    const inserted = await insertKommoIntegration(tx, {
      id: randomUUID(),
      tenantId: ctx.tenantId,
      subdomain: body.subdomain,
      clientId: body.client_id,
      clientSecretRef,
      redirectUri: `${publicBaseUrl()}${KOMMO_CALLBACK_PATH}`,
      webhookTokenRef: tokenRef,
      webhookTokenHash: hashWebhookToken(webhookToken),
      deleteMode: body.delete_mode,
    });
    if (!inserted) throw ApiError.conflict(`A Kommo integration for ${body.subdomain} already exists`);
    await recordAudit(tx, ctx, { action: "kommo_integration.create", targetType: "kommo_integration", targetId: inserted.id, details: { subdomain: body.subdomain } });
    return inserted;
  });
  return toOut(ctx, row);
}

export async function listKommo(ctx: TenantContext): Promise<KommoIntegrationOut[]> {
  const rows = await listKommoIntegrations(getDb(), { tenantId: ctx.tenantId });
  return Promise.all(rows.map((r) => toOut(ctx, r)));
}

export async function getKommo(ctx: TenantContext, id: string): Promise<KommoIntegrationOut> {
  return toOut(ctx, await mustFind(ctx, id));
}

/** The consent URL with a fresh signed, single-use state (a newer one voids the older). */
export async function kommoAuthorizeUrl(ctx: TenantContext, id: string): Promise<string> {
  const row = await mustFind(ctx, id);
  const { state, nonce } = newOauthState(row.id);
  await updateKommoIntegration(getDb(), { tenantId: ctx.tenantId, id, patch: { oauthStateNonce: nonce } });
  const url = new URL(kommoConsentUrl());
  url.searchParams.set("client_id", row.clientId);
  url.searchParams.set("state", state);
  url.searchParams.set("mode", "post_message");
  return url.toString();
}

/**
 * The OAuth callback: the state must be Herald's, unexpired and not used before; the code is
 * exchanged for tokens (stored encrypted) and the integration becomes active. Returns the
 * integration id for the redirect back to the page, or throws a 4xx.
 */
export async function completeKommoOauth(query: { state: string; code?: string; error?: string; referer?: string }): Promise<{ integrationId: string }> {
  const parsed = verifyOauthState(query.state);
  if (!parsed) throw new ApiError({ code: "bad_request", message: "The OAuth state is invalid or expired; start the authorization again" });
  const row = await redeemKommoOauthState(getDb(), { id: parsed.integrationId, nonce: parsed.nonce });
  if (!row) throw new ApiError({ code: "bad_request", message: "The OAuth state was already used; start the authorization again" });
  if (query.error || !query.code) {
    await updateKommoIntegration(getDb(), { tenantId: row.tenantId, id: row.id, patch: { errorReason: `Authorization refused in Kommo (${query.error ?? "no code"})` } });
    throw new ApiError({ code: "bad_request", message: `Kommo did not grant access (${query.error ?? "no code"})` });
  }
  // Kommo names the account that granted access; its tokens only work on that account's host.
  const granted = query.referer?.toLowerCase().split(".")[0];
  if (granted && granted !== row.subdomain) {
    throw new ApiError({ code: "bad_request", message: `Access was granted for ${granted}, but this integration is registered for ${row.subdomain}; authorize with the ${row.subdomain} account` });
  }
  const clientSecret = await resolveSecretRef(getDb(), row.tenantId, row.clientSecretRef);
  let tokens;
  try {
    tokens = await requestKommoTokens(kommoTarget(row), { grant: "authorization_code", clientId: row.clientId, clientSecret, redirectUri: row.redirectUri, code: query.code });
  } catch (err) {
    if (err instanceof IntegrationPermanentError || err instanceof KommoGrantRevokedError) throw new ApiError({ code: "bad_request", message: `Kommo refused the code: ${err.message}` });
    if (err instanceof IntegrationTransientError) throw new ApiError({ code: "service_unavailable", message: err.message });
    throw err;
  }
  await storeKommoTokens(row, tokens, { activate: true });
  // Deliveries that waited while the grant was missing go on now.
  await emitEvent("herald/kommo-webhooks.received", { tenantId: row.tenantId, integrationId: row.id }, { tenantId: row.tenantId });
  return { integrationId: row.id };
}

export async function setKommoUnisender(ctx: TenantContext, id: string, body: SetUnisenderBody): Promise<KommoIntegrationOut> {
  const row = await mustFind(ctx, id);
  if (!body.api_key && !body.api_key_ref && !row.unisenderKeyRef) {
    throw new ApiError({ code: "validation_failed", message: "The request is invalid", details: [{ path: "api_key", message: "Give the Unisender API key" }] });
  }
  const updated = await getDb().transaction(async (tx) => {
    const keyRef = body.api_key || body.api_key_ref ? await secretFrom(ctx, { value: body.api_key, ref: body.api_key_ref, label: "unisender_api_key" }, tx) : row.unisenderKeyRef;
    const r = await updateKommoIntegration(tx, {
      tenantId: ctx.tenantId,
      id,
      patch: { unisenderKeyRef: keyRef, unisenderListIds: body.list_ids, ...(body.delete_mode ? { deleteMode: body.delete_mode } : {}) },
    });
    await recordAudit(tx, ctx, { action: "kommo_integration.set_unisender", targetType: "kommo_integration", targetId: id, details: { list_ids: body.list_ids, key_changed: Boolean(body.api_key || body.api_key_ref) } });
    return r!;
  });
  // Deliveries that waited for a key go on now.
  await emitEvent("herald/kommo-webhooks.received", { tenantId: ctx.tenantId, integrationId: id }, { tenantId: ctx.tenantId });
  return toOut(ctx, updated);
}

export async function startKommoSync(ctx: TenantContext, id: string, opts: { incremental?: boolean } = {}): Promise<KommoIntegrationOut> {
  const row = await mustFind(ctx, id);
  if (row.status !== "active") throw ApiError.conflict(`The integration is ${row.status}; authorize it first`);
  if (!row.unisenderKeyRef || row.unisenderListIds.length === 0) throw ApiError.conflict("Set the Unisender API key and list ids first");
  await requestKommoSync({ tenantId: ctx.tenantId, integrationId: id, incremental: opts.incremental });
  await recordAudit(getDb(), ctx, { action: "kommo_integration.sync", targetType: "kommo_integration", targetId: id, details: { mode: opts.incremental ? "incremental" : "full" } });
  return toOut(ctx, await mustFind(ctx, id));
}

/** Maps the integration layer's errors onto API answers (a revoked grant also ends the integration). */
async function asApi<T>(row: KommoIntegration, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof KommoGrantRevokedError) {
      await markKommoRevoked(row, err.message);
      throw ApiError.conflict(`Kommo refused the grant; the integration is now in error: ${err.message}`);
    }
    if (err instanceof IntegrationPermanentError) throw new ApiError({ code: "upstream_refused", status: 502, message: err.message, details: { upstream_code: err.code } });
    if (err instanceof IntegrationTransientError) throw new ApiError({ code: "service_unavailable", message: err.message });
    throw err;
  }
}

/** A page of the account's Kommo contacts, live from Kommo. */
export async function listKommoContactsLive(ctx: TenantContext, id: string, q: { page: number; limit: number }) {
  const row = await mustFind(ctx, id);
  return asApi(row, async () => {
    const token = await kommoAccessToken(row);
    const page = await fetchKommoContactsPage(kommoTarget(row), token, null, q);
    return {
      data: page.contacts.map((c: KommoApiContact) => {
        const s = stateFromApi(c);
        return { id: s.kommoId, name: s.name, emails: s.emails, phones: s.phones, updated_at: s.modifiedAt?.toISOString() ?? null };
      }),
      page: q.page,
      has_more: page.next !== null,
    };
  });
}

export async function lookupUnisenderContact(ctx: TenantContext, id: string, email: string) {
  const row = await mustFind(ctx, id);
  return asApi(row, async () => {
    const found = await getUnisenderContact(await unisenderTarget(row), email);
    if (!found) throw ApiError.notFound("Unisender contact");
    return found;
  });
}

/**
 * Adds emails to the integration's lists, or (with `delete: 1`) removes them per the delete mode.
 * Without `delete` nothing is removed.
 */
export async function changeUnisenderLists(ctx: TenantContext, id: string, body: { emails: string[]; delete?: number | boolean }) {
  const row = await mustFind(ctx, id);
  if (row.unisenderListIds.length === 0) throw ApiError.conflict("Set the Unisender list ids first");
  const remove = body.delete === 1 || body.delete === true;
  const emails = [...new Set(body.emails)];
  await asApi(row, async () => {
    const target = await unisenderTarget(row);
    if (remove) await removeFromUnisender(row, target, emails);
    else await importUnisenderContacts(target, emails.map((email) => ({ email, listIds: row.unisenderListIds })));
  });
  return { action: remove ? (row.deleteMode === "delete" ? "deleted" : "excluded") : "added", count: emails.length };
}

export async function listKommoRequests(ctx: TenantContext, id: string, q: { service?: "kommo" | "unisender" | "webhook"; ok?: boolean; before?: number; limit: number }) {
  await mustFind(ctx, id);
  const rows = await listKommoRequestLog(getDb(), { tenantId: ctx.tenantId, integrationId: id, service: q.service, ok: q.ok, beforeId: q.before, limit: q.limit + 1 });
  const page = rows.slice(0, q.limit);
  const data: KommoRequestLogOut[] = page.map((r) => ({
    id: r.id,
    service: r.service,
    operation: r.operation,
    method: r.method,
    input: r.input,
    status: r.status,
    ok: r.ok,
    summary: r.summary,
    duration_ms: r.durationMs,
    created_at: r.createdAt.toISOString(),
  }));
  return { data, next_before: rows.length > q.limit ? (page.at(-1)?.id ?? null) : null };
}
