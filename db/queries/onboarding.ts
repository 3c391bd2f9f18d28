// What a tenant has set up so far, read in one statement (each an index-backed `exists`).
import { sql } from "drizzle-orm";
import type { DbOrTx } from "../index";

export type OnboardingFacts = {
  has_provider: boolean;
  has_webhook_event: boolean;
  has_api_key: boolean;
  has_send: boolean;
  has_delivery: boolean;
};

export async function findOnboardingFacts(db: DbOrTx, { tenantId }: { tenantId: string }): Promise<OnboardingFacts> {
  const [row] = await db.execute<OnboardingFacts>(sql`
    select
      exists (select 1 from provider_configs where tenant_id = ${tenantId} and status <> 'decommissioned') as has_provider,
      -- A verified webhook with no events in it (a provider's "test" button) counts too.
      (exists (select 1 from provider_configs where tenant_id = ${tenantId} and last_event_at is not null)
        or exists (select 1 from webhook_events where tenant_id = ${tenantId})) as has_webhook_event,
      exists (select 1 from api_keys where tenant_id = ${tenantId} and revoked_at is null) as has_api_key,
      exists (select 1 from messages where tenant_id = ${tenantId} and direction = 'outbound') as has_send,
      exists (select 1 from messages where tenant_id = ${tenantId} and status in ('delivered', 'read', 'opened', 'clicked')) as has_delivery`);
  return row!;
}
