/**
 * Per-tenant round-robin for pg-boss, which fetches `priority desc, created_on`: the n-th job a
 * tenant enqueues on a queue gets priority -n, so a tenant that just enqueued 100,000 jobs has
 * them behind another tenant's first one — each tenant's k-th job runs around the time of every
 * other tenant's k-th. A tenant idle for a minute starts again at 0. Per relay process; several
 * relays each keep their own count, which stays fair to within their number.
 */
export class FairPriority {
  private counters = new Map<string, { n: number; at: number }>();

  constructor(private readonly idleResetMs = 60_000) {}

  next(queue: string, tenantId: string | undefined, now = Date.now()): number {
    if (!tenantId) return 0;
    const key = `${queue}:${tenantId}`;
    const c = this.counters.get(key);
    const n = c && now - c.at < this.idleResetMs ? c.n + 1 : 1;
    if (this.counters.size > 50_000) this.prune(now);
    this.counters.set(key, { n, at: now });
    // pg-boss priority is a Postgres integer.
    return -Math.min(n, 2_000_000_000);
  }

  private prune(now: number) {
    for (const [k, v] of this.counters) if (now - v.at >= this.idleResetMs) this.counters.delete(k);
  }
}
