// "Test" on a config: the provider's credential check, and the status it leads to.
import { getDb } from "@/db";
import { lockProviderConfig, transitionProviderConfig, updateProviderConfig } from "@/db/queries/provider-configs";
import type { ProviderConfigStatus, ProviderKind } from "@/db/schema/provider-configs";
import { ApiError } from "@/lib/api/errors";
import { recordAudit } from "@/lib/audit/record-audit";
import { SecretStoreError } from "@/lib/secrets/store";
import { actorUserId, type TenantContext } from "@/lib/tenancy/context";
import type { TestResultOut } from "@/lib/validations/provider-configs";
import { resolveCredentials, type ProviderConfigRecord, type ResolvedCredentials } from "./config-record";
import { toOut } from "./config-output";
import { illegalTransition } from "./config-transitions";
import { loadConfig } from "./configs";
import { runCredentialCheck, type CheckOutcome } from "./credential-checks";
import { providerModule } from "./registry";

type Row = { status: ProviderConfigStatus; sentCount: number; lastSentAt: Date | null };
const statusAfterTest: Record<CheckOutcome | "credentials_missing", (r: Row) => ProviderConfigStatus> = {
  // A test never activates: a draft stays a draft (activation is its own, explicit step), and an
  // error clears back to active only for a config that was sending — one that never sent goes
  // back to draft.
  ok: ({ status, sentCount, lastSentAt }) => (status === "error" ? (sentCount > 0 || lastSentAt ? "active" : "draft") : status),
  auth: () => "error",
  rejected: () => "error",
  credentials_missing: () => "error",
  unreachable: (r) => r.status,
  provider_error: (r) => r.status,
};

/**
 * Authenticates against the provider with the config's credentials. Pass → last_error cleared, a
 * draft stays a draft, an error goes back to active (or draft if it never sent); rejected credentials → error
 * with the provider's message; an unreachable or failing provider records the message only.
 */
export async function testConfig(ctx: TenantContext, id: string, opts: { provider?: ProviderKind } = {}): Promise<TestResultOut> {
  const db = getDb();
  const row = await loadConfig(db, ctx, id, opts.provider);
  if (row.status === "decommissioned") throw illegalTransition(row.status, "test");
  const started = performance.now();
  let outcome: CheckOutcome | "credentials_missing";
  let message: string;
  let httpStatus: number | null = null;
  let credentials: ResolvedCredentials | undefined;
  try {
    credentials = await resolveCredentials(row as ProviderConfigRecord);
  } catch (err) {
    if (!(err instanceof SecretStoreError)) throw err;
    outcome = "credentials_missing";
    message = err.message;
  }
  if (credentials) {
    const result = await runCredentialCheck(providerModule(row.provider).checkCredentials, {
      provider: row.provider,
      configId: row.id,
      settings: row.settings,
      credentials,
      apiBaseUrl: row.apiBaseUrl,
    });
    outcome = result.outcome;
    message = result.message;
    httpStatus = result.httpStatus;
  }
  const latencyMs = Math.round(performance.now() - started);
  const updated = await db.transaction(async (tx) => {
    const current = await lockProviderConfig(tx, { tenantId: ctx.tenantId, id });
    if (!current) throw ApiError.notFound("Provider config");
    if (current.status === "decommissioned") throw illegalTransition(current.status, "test");
    const next = statusAfterTest[outcome!](current);
    const values = {
      lastError: outcome! === "ok" ? null : message!,
      lastTestedAt: new Date(),
      updatedBy: actorUserId(ctx.actor),
    };
    const saved =
      next !== current.status
        ? await transitionProviderConfig(tx, { tenantId: ctx.tenantId, id, from: [current.status], to: next, values })
        : await updateProviderConfig(tx, { tenantId: ctx.tenantId, id, values });
    await recordAudit(tx, ctx, {
      action: "provider_config.tested",
      targetType: "provider_config",
      targetId: id,
      details: { provider: current.provider, outcome: outcome!, http_status: httpStatus, from: current.status, to: next, message: message! },
    });
    return saved!;
  }).then((saved) => toOut(db, ctx, saved));
  return { ok: outcome! === "ok", outcome: outcome!, message: message!, http_status: httpStatus, latency_ms: latencyMs, config: updated };
}
