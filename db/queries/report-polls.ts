// Sent messages waiting for a delivery report their provider must be asked for (it posts none):
// which configs have some, and claiming a batch of them so two pollers never ask for the same one.
import { and, asc, eq, exists, gt, inArray, isNotNull, sql } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { messages, providerConfigs, type ProviderConfigStatus, type ProviderKind } from "../schema";

/**
 * Configs of the provider (any tenant) in one of `statuses` with at least one sent message since
 * `sentAfter` still waiting for its report. A sweep over every tenant: the claim that follows is
 * tenant-scoped.
 */
export async function listConfigsAwaitingReports(db: DbOrTx, f: { provider: ProviderKind; statuses: ProviderConfigStatus[]; sentAfter: Date }) {
  return db
    .select({ id: providerConfigs.id, tenantId: providerConfigs.tenantId })
    .from(providerConfigs)
    .where(
      and(
        eq(providerConfigs.provider, f.provider),
        inArray(providerConfigs.status, f.statuses),
        exists(
          db
            .select({ one: sql`1` })
            .from(messages)
            .where(
              and(
                eq(messages.configId, providerConfigs.id),
                eq(messages.tenantId, providerConfigs.tenantId),
                eq(messages.status, "sent"),
                isNotNull(messages.providerMessageId),
                gt(messages.sentAt, f.sentAfter),
              ),
            ),
        ),
      ),
    )
    .orderBy(asc(providerConfigs.createdAt), asc(providerConfigs.id));
}

export interface ClaimedReport {
  id: string;
  providerMessageId: string;
  sentAt: Date;
}

/**
 * Claims up to `limit` of the config's sent messages (sent after `sentAfter`) whose claim is free,
 * never-polled first then least recently polled, and holds them for `leaseSeconds`: one statement
 * committed before the provider is called, so no transaction spans the call. Rows another poller
 * is claiming are skipped.
 */
export async function claimMessagesAwaitingReport(
  db: DbOrTx,
  f: { tenantId: string; configId: string; sentAfter: Date; limit: number; leaseSeconds: number },
): Promise<ClaimedReport[]> {
  if (f.limit <= 0) return [];
  const rows = await db.execute<{ id: string; provider_message_id: string; sent_at: Date | string }>(sql`
    update messages m set report_poll_at = now() + make_interval(secs => ${f.leaseSeconds})
    where m.id in (
      select id from messages
      where tenant_id = ${f.tenantId} and config_id = ${f.configId}
        and status = 'sent' and provider_message_id is not null and sent_at > ${f.sentAfter.toISOString()}::timestamptz
        and (report_poll_at is null or report_poll_at <= now())
      order by report_poll_at asc nulls first, sent_at asc, id asc
      limit ${f.limit}
      for update skip locked)
    returning m.id, m.provider_message_id, m.sent_at`);
  return [...rows].map((r) => ({ id: r.id, providerMessageId: r.provider_message_id, sentAt: new Date(r.sent_at) }));
}

/** Frees claims the poller could not use (the provider refused the query): due again at once. */
export async function releaseReportClaims(db: DbOrTx, f: { tenantId: string; ids: string[] }) {
  if (f.ids.length === 0) return;
  await db
    .update(messages)
    .set({ reportPollAt: null, updatedAt: sql`${messages.updatedAt}` })
    .where(and(eq(messages.tenantId, f.tenantId), inArray(messages.id, f.ids)));
}
