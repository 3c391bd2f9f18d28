// The tenant's Customer.io integration: config (secrets write-only), lifecycle, credential test,
// status with counts, full resync and dead-letter replay.
import { getDb, type DbOrTx } from "@/db";
import {
  countCustomerioPendingSince,
  countCustomerioRows,
  findCustomerioIntegration,
  insertCustomerioIntegration,
  listCustomerioFailures,
  markCustomerioPage,
  replayCustomerioRows,
  updateCustomerioIntegration,
  addCustomerioResyncTotal,
} from "@/db/queries/customerio";
import type { CustomerioEntityKind, CustomerioIntegration } from "@/db/schema/customerio";
import { ApiError } from "@/lib/api/errors";
import { recordAudit } from "@/lib/audit/record-audit";
import { emitEvent } from "@/lib/jobs/emit";
import { deterministicUuid } from "@/lib/jobs/run-id";
import { assertProviderUrl } from "@/lib/net/provider-hosts";
import { UrlRefused } from "@/lib/net/url-guard";
import { createSecret, describeRefs, isEnvRefAllowed, parseRef, refExists, rotateSecret, SecretStoreError } from "@/lib/secrets/store";
import { actorUserId, type TenantContext } from "@/lib/tenancy/context";
import type { CredentialInput } from "@/lib/validations/provider-configs";
import {
  mappingSchema,
  type CustomerioConfigInput,
  type CustomerioConfigOut,
} from "@/lib/validations/customerio";
import { syncSettings } from "./definition";
import { clientFor } from "./sync";

function fieldError(path: string, message: string) {
  return new ApiError({ code: "validation_failed", message: "The request is invalid", details: [{ path, message, code: "custom" }] });
}

async function writeSecret(tx: DbOrTx, ctx: TenantContext, field: "site_id" | "api_key", input: CredentialInput, currentRef?: string): Promise<string> {
  if (typeof input === "object" && "ref" in input) {
    const parsed = parseRef(input.ref);
    if (parsed?.kind === "env" && !isEnvRefAllowed(parsed.name)) throw fieldError(field, `Environment variable ${parsed.name} may not be used for credentials (see HERALD_ENV_REF_ALLOW)`);
    if (!(await refExists(tx, ctx.tenantId, input.ref))) throw fieldError(field, "No such stored secret in this tenant");
    return parsed?.kind === "secret" ? `secret:${parsed.id}` : input.ref;
  }
  const value = typeof input === "string" ? input : input.value;
  if (currentRef && parseRef(currentRef)?.kind === "secret") {
    await rotateSecret(tx, { tenantId: ctx.tenantId, ref: currentRef, value, rotatedBy: actorUserId(ctx.actor) });
    return currentRef;
  }
  return (await createSecret(tx, { tenantId: ctx.tenantId, label: `customerio ${field}`, value, createdBy: actorUserId(ctx.actor) })).ref;
}

/** Creates or replaces the tenant's config. Credentials are required the first time, optional after (kept). */
export async function saveCustomerioConfig(ctx: TenantContext, input: CustomerioConfigInput): Promise<CustomerioConfigOut> {
  if (input.api_base_url) {
    try {
      await assertProviderUrl(input.api_base_url);
    } catch (err) {
      if (err instanceof UrlRefused) throw fieldError("api_base_url", err.message);
      throw err;
    }
  }
  try {
    await getDb().transaction(async (tx) => {
      const current = await findCustomerioIntegration(tx, { tenantId: ctx.tenantId });
      if (!current && (!input.site_id || !input.api_key)) {
        throw new ApiError({
          code: "validation_failed",
          message: "The request is invalid",
          details: [
            ...(input.site_id ? [] : [{ path: "site_id", message: "Required", code: "custom" }]),
            ...(input.api_key ? [] : [{ path: "api_key", message: "Required", code: "custom" }]),
          ],
        });
      }
      const siteIdRef = input.site_id ? await writeSecret(tx, ctx, "site_id", input.site_id, current?.siteIdRef) : current!.siteIdRef;
      const apiKeyRef = input.api_key ? await writeSecret(tx, ctx, "api_key", input.api_key, current?.apiKeyRef) : current!.apiKeyRef;
      const values = {
        region: input.region,
        siteIdRef,
        apiKeyRef,
        apiBaseUrl: input.api_base_url === undefined ? (current?.apiBaseUrl ?? null) : input.api_base_url,
        b2cEnabled: input.b2c_enabled,
        b2bEnabled: input.b2b_enabled,
        objectTypeId: input.object_type_id,
        mapping: input.mapping as Record<string, unknown>,
        updatedBy: actorUserId(ctx.actor),
      };
      const row = current
        ? await updateCustomerioIntegration(tx, { tenantId: ctx.tenantId, id: current.id, values })
        : await insertCustomerioIntegration(tx, { tenantId: ctx.tenantId, values: { ...values, createdBy: actorUserId(ctx.actor) } });
      if (!row) throw ApiError.conflict("The integration was created at the same time; try again");
      await recordAudit(tx, ctx, {
        action: current ? "integration.customerio.updated" : "integration.customerio.created",
        targetType: "integration",
        targetId: row.id,
        details: { region: input.region, b2c_enabled: input.b2c_enabled, b2b_enabled: input.b2b_enabled, credentials_changed: Boolean(input.site_id || input.api_key) },
      });
    });
  } catch (err) {
    if (err instanceof SecretStoreError) throw new ApiError({ code: "service_unavailable", message: `The secret store is unavailable: ${err.message}`, cause: err });
    throw err;
  }
  return getCustomerioConfig(ctx);
}

async function requireIntegration(db: DbOrTx, ctx: TenantContext): Promise<CustomerioIntegration> {
  const row = await findCustomerioIntegration(db, { tenantId: ctx.tenantId });
  if (!row) throw ApiError.notFound("Customer.io integration");
  return row;
}

export async function getCustomerioConfig(ctx: TenantContext): Promise<CustomerioConfigOut> {
  const db = getDb();
  const row = await requireIntegration(db, ctx);
  const [refs, counts] = await Promise.all([describeRefs(db, ctx.tenantId, [row.siteIdRef, row.apiKeyRef]), countCustomerioRows(db, { integrationId: row.id })]);
  let resync: CustomerioConfigOut["resync"] = null;
  if (row.resyncStartedAt && row.resyncTotal !== null) {
    const left = await countCustomerioPendingSince(db, { integrationId: row.id, since: row.resyncStartedAt });
    resync = { started_at: row.resyncStartedAt.toISOString(), total: row.resyncTotal, done: Math.max(0, row.resyncTotal - left) };
  }
  const cred = (ref: string) => {
    const m = refs.get(ref);
    return { ref, source: m?.source ?? "secret", set: m?.set ?? false, created_at: m?.createdAt?.toISOString() ?? null, rotated_at: m?.rotatedAt?.toISOString() ?? null };
  };
  return {
    id: row.id,
    status: row.status,
    region: row.region,
    site_id: cred(row.siteIdRef),
    api_key: cred(row.apiKeyRef),
    api_base_url: row.apiBaseUrl,
    b2c_enabled: row.b2cEnabled,
    b2b_enabled: row.b2bEnabled,
    object_type_id: row.objectTypeId,
    mapping: mappingSchema.parse(row.mapping),
    last_error: row.lastError,
    last_tested_at: row.lastTestedAt?.toISOString() ?? null,
    last_synced_at: row.lastSyncedAt?.toISOString() ?? null,
    counts,
    resync,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

const transitions: Record<string, string[]> = {
  draft: ["active", "decommissioned"],
  active: ["paused", "decommissioned"],
  paused: ["active", "decommissioned"],
  error: ["active", "paused", "decommissioned"],
  decommissioned: [],
};

/** Lifecycle: an active integration marks and sends changes (one in error keeps marking them for when it is fixed); what existed before activation is sent by a resync. */
export async function setCustomerioStatus(ctx: TenantContext, status: "active" | "paused" | "decommissioned"): Promise<CustomerioConfigOut> {
  const db = getDb();
  const row = await requireIntegration(db, ctx);
  if (row.status !== status && !transitions[row.status]!.includes(status)) throw ApiError.conflict(`A ${row.status} integration cannot become ${status}`);
  await db.transaction(async (tx) => {
    await updateCustomerioIntegration(tx, { tenantId: ctx.tenantId, id: row.id, values: { status, statusChangedAt: new Date(), ...(status === "active" ? { lastError: null } : {}) } });
    await recordAudit(tx, ctx, { action: `integration.customerio.${status}`, targetType: "integration", targetId: row.id, details: { from: row.status } });
    // Rows left pending while paused or in error (a bad key) go out now.
    if (status === "active") await queueCustomerioSync(tx, { tenantId: ctx.tenantId, integrationId: row.id, reason: "activate" });
  });
  return getCustomerioConfig(ctx);
}

/** Calls Customer.io with the stored credentials and records the outcome. */
export async function testCustomerioCredentials(ctx: TenantContext): Promise<{ ok: boolean; message: string; region: string | null }> {
  const db = getDb();
  const row = await requireIntegration(db, ctx);
  let outcome: Awaited<ReturnType<Awaited<ReturnType<typeof clientFor>>["checkCredentials"]>>;
  try {
    outcome = await (await clientFor(row, syncSettings())).checkCredentials();
  } catch (err) {
    outcome = { ok: false, reason: err instanceof SecretStoreError ? err.message : "The credentials could not be read" };
  }
  const regionMismatch = outcome.ok && outcome.region && outcome.region !== row.region ? `The account is in the ${outcome.region.toUpperCase()} region; the config says ${row.region.toUpperCase()}` : null;
  const message = !outcome.ok ? outcome.reason : (regionMismatch ?? "Customer.io accepted the site id and API key");
  await updateCustomerioIntegration(db, { tenantId: ctx.tenantId, id: row.id, values: { lastTestedAt: new Date(), lastError: outcome.ok && !regionMismatch ? row.lastError : message } });
  return { ok: outcome.ok && !regionMismatch, message, region: outcome.ok ? outcome.region : null };
}

const RESYNC_PAGE = 5000;

/** The entity kinds a resync covers: people for B2C (and for B2B, whose related contacts are people), objects for B2B. */
export function resyncKinds(opts: { b2c: boolean; b2b: boolean }): CustomerioEntityKind[] {
  return [...(opts.b2c || opts.b2b ? (["person"] as const) : []), ...(opts.b2b ? (["object"] as const) : [])];
}

/**
 * One page of a resync: marks the next contacts or schools pending with their last hash
 * forgotten and adds them to the recorded total. Re-marking a page is harmless (a retry).
 */
export async function markCustomerioResyncPage(args: { tenantId: string; integrationId: string; entity: CustomerioEntityKind; afterId: string | null }) {
  const db = getDb();
  return db.transaction(async (tx) => {
    const page = await markCustomerioPage(tx, { ...args, limit: RESYNC_PAGE });
    if (page.count > 0) await addCustomerioResyncTotal(tx, { tenantId: args.tenantId, id: args.integrationId, count: page.count });
    return page;
  });
}

async function beginResync(ctx: TenantContext, opts: { b2c: boolean; b2b: boolean }, background: boolean) {
  const db = getDb();
  const row = await requireIntegration(db, ctx);
  if (row.status !== "active") throw ApiError.conflict("Activate the integration before a resync");
  const startedAt = new Date();
  await db.transaction(async (tx) => {
    await updateCustomerioIntegration(tx, { tenantId: ctx.tenantId, id: row.id, values: { resyncStartedAt: startedAt, resyncTotal: 0 } });
    await recordAudit(tx, ctx, { action: "integration.customerio.resync", targetType: "integration", targetId: row.id, details: { b2c: opts.b2c, b2b: opts.b2b } });
    if (background) {
      await emitEvent(
        "herald/customerio.resync-due",
        { tenantId: ctx.tenantId, integrationId: row.id, b2c: opts.b2c, b2b: opts.b2b, startedAt: startedAt.toISOString() },
        { db: tx, tenantId: ctx.tenantId, id: deterministicUuid("customerio-resync", row.id, startedAt.toISOString()) },
      );
    }
  });
  return { integrationId: row.id, startedAt };
}

/**
 * Full resync from the API: recorded and handed to the resync workflow, which marks everything
 * page by page (progress: the recorded total against what is still pending) and queues the sync.
 */
export async function startCustomerioResync(ctx: TenantContext, opts: { b2c: boolean; b2b: boolean }): Promise<{ started_at: string }> {
  const { startedAt } = await beginResync(ctx, opts, true);
  return { started_at: startedAt.toISOString() };
}

/** The same, marked in this process (the admin command and the bench): returns once everything is marked. */
export async function resyncCustomerio(
  ctx: TenantContext,
  opts: { b2c: boolean; b2b: boolean; onProgress?: (marked: number) => void },
): Promise<{ marked: number }> {
  const { integrationId } = await beginResync(ctx, opts, false);
  let marked = 0;
  for (const entity of resyncKinds(opts)) {
    let afterId: string | null = null;
    for (;;) {
      const page: { count: number; lastId: string | null } = await markCustomerioResyncPage({ tenantId: ctx.tenantId, integrationId, entity, afterId });
      if (page.count === 0) break;
      marked += page.count;
      afterId = page.lastId;
      opts.onProgress?.(marked);
    }
  }
  await queueCustomerioSync(getDb(), { tenantId: ctx.tenantId, integrationId, reason: "resync" });
  return { marked };
}

/**
 * Queues a sync run now (or at `at`); the id makes a repeat of the same `reason` within the same
 * second a no-op. Different reasons never merge: a run queued by the activation may already be
 * past its claim when a resync finishes marking rows in that same second, and those rows must get
 * a run of their own.
 */
export async function queueCustomerioSync(
  db: DbOrTx,
  { tenantId, integrationId, reason, at }: { tenantId: string; integrationId: string; reason: string; at?: Date },
) {
  const when = at ?? new Date();
  await emitEvent(
    "herald/customerio.sync-due",
    { tenantId, integrationId },
    { db, tenantId, startAfter: at, id: deterministicUuid("customerio-sync", integrationId, reason, String(Math.floor(when.getTime() / 1000))) },
  );
}

export async function listCustomerioFailuresFor(ctx: TenantContext, limit: number) {
  const db = getDb();
  const row = await requireIntegration(db, ctx);
  const rows = await listCustomerioFailures(db, { integrationId: row.id, limit });
  return rows.map((r) => ({ entity: r.entity, entity_id: r.entityId, cio_id: r.cioId, error: r.lastError, attempts: r.attempts, updated_at: r.updatedAt.toISOString() }));
}

export async function replayCustomerioFailures(ctx: TenantContext, entityIds?: string[]): Promise<{ replayed: number }> {
  const db = getDb();
  const row = await requireIntegration(db, ctx);
  return db.transaction(async (tx) => {
    const replayed = await replayCustomerioRows(tx, { integrationId: row.id, entityIds });
    await recordAudit(tx, ctx, { action: "integration.customerio.replay", targetType: "integration", targetId: row.id, details: { replayed } });
    if (replayed > 0) await queueCustomerioSync(tx, { tenantId: ctx.tenantId, integrationId: row.id, reason: "retry-failed" });
    return { replayed };
  });
}
