// A config row as the API answers it: settings flat, credential metadata (never values), derived
// callback URLs, usage and breaker health, through the provider's output schema.
import type { DbOrTx } from "@/db";
import type { ProviderConfig } from "@/db/schema/provider-configs";
import { describeBreaker } from "@/lib/providers/circuit-breaker";
import { describeRefs } from "@/lib/secrets/store";
import { providerConfigOutBodies, providerDefinitions, type ProviderConfigOut } from "@/lib/validations/provider-configs";
import type { TenantContext } from "@/lib/tenancy/context";
import { publicBaseUrl, shownCallbackUrl } from "./callback-urls";
import { allowedTransitions } from "./config-transitions";

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export async function toOut(db: DbOrTx, ctx: TenantContext, row: ProviderConfig): Promise<ProviderConfigOut> {
  const refs = Object.values(row.credentials);
  const meta = await describeRefs(db, row.tenantId, refs);
  const credentials = Object.fromEntries(
    Object.entries(row.credentials).map(([field, ref]) => {
      const m = meta.get(ref);
      return [
        field,
        { ref, source: m?.source ?? "secret", set: m?.set ?? false, created_at: iso(m?.createdAt), rotated_at: iso(m?.rotatedAt) },
      ];
    }),
  );
  const derived: Record<string, string> = {};
  const definition = providerDefinitions[row.provider];
  for (const field of definition.derived) derived[field] = await shownCallbackUrl(ctx, row, db);
  // The one URL to paste in the provider's console (a token URL for providers that don't sign).
  const webhookUrl = definition.postsWebhooks ? (Object.values(derived)[0] ?? `${publicBaseUrl()}/api/webhooks/${row.provider}/${row.id}`) : null;
  const out = {
    ...row.settings,
    id: row.id,
    provider: row.provider,
    display_name: row.displayName,
    status: row.status,
    credentials,
    api_base_url: row.apiBaseUrl,
    monthly_quota: row.monthlyQuota,
    last_error: row.lastError,
    last_tested_at: iso(row.lastTestedAt),
    status_changed_at: row.statusChangedAt.toISOString(),
    allowed_transitions: allowedTransitions[row.status],
    ...derived,
    webhook_url: webhookUrl,
    last_event_at: iso(row.lastEventAt),
    usage: { sent: row.sentCount, delivered: row.deliveredCount, failed: row.failedCount, last_sent_at: iso(row.lastSentAt) },
    health: await describeBreaker(row),
    created_by: row.createdBy,
    updated_by: row.updatedBy,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
  // The output schema drops anything not declared, so a stray column can never reach a client.
  return providerConfigOutBodies[row.provider].parse(out);
}
