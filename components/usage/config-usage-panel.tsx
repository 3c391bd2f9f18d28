"use client";

import { Skeleton } from "@/components/ui/skeleton";
import { useConfigUsage } from "@/lib/hooks/use-usage";
import { num, pct } from "./format";

/** Last 30 days of a provider config: volume, rates and the month's quota burn, from the rollups. */
export function ConfigUsagePanel({ configId, engagement }: { configId: string; engagement: boolean }) {
  const { data, isPending, isError } = useConfigUsage(configId);
  if (isPending) return <Skeleton className="h-16 w-full" />;
  if (isError || !data) return <p className="text-xs text-muted-foreground">Usage is unavailable right now.</p>;
  const t = data.totals;
  const q = data.quota;
  const burn = q?.burn ?? null;
  // Counts and rates come from one usage answer (lib/usage/metric-definitions), so they agree.
  const rows: [string, string][] = [
    ["Volume (30 d)", `${num(t.sent)} sent · ${num(t.delivered)} delivered · ${num(t.bounced)} bounced · ${num(t.failed)} failed`],
    ["Delivery rate", pct(t.delivery_rate)],
  ];
  // Only channels that report opens and clicks (email) have these rates.
  if (engagement) rows.push(["Open rate", pct(t.open_rate)], ["Click rate", pct(t.click_rate)]);
  rows.push(["Bounce rate", pct(t.bounce_rate)], ["Error rate", pct(t.error_rate)]);
  if (t.segments > 0) rows.push(["SMS segments", num(t.segments)]);
  for (const c of t.cost) rows.push([`Cost (${c.currency})`, c.amount.toFixed(2)]);
  return (
    <section aria-label="Usage" data-testid="config-usage-panel" className="grid gap-2 rounded-md border p-2">
      <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-4 gap-y-1 text-xs">
        {rows.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="text-muted-foreground">{k}</dt>
            <dd data-testid={`usage-${k.split(" ")[0]!.toLowerCase()}`}>{v}</dd>
          </div>
        ))}
      </dl>
      {q ? (
        <div className="grid gap-1 text-xs">
          <div className="flex flex-wrap justify-between gap-x-2 text-muted-foreground">
            <span>Quota this month</span>
            <span data-testid="usage-quota">
              {num(q.used_this_month)}
              {q.monthly_quota ? ` / ${num(q.monthly_quota)} (${pct(burn)})` : " · no quota set"}
            </span>
          </div>
          {q.monthly_quota ? (
            <div
              className="h-2 w-full overflow-hidden rounded bg-muted"
              role="progressbar"
              aria-label="Quota burn"
              aria-valuemin={0}
              aria-valuemax={q.monthly_quota}
              aria-valuenow={q.used_this_month}
            >
              <div
                className={`h-full ${burn !== null && burn >= 0.9 ? "bg-destructive" : burn !== null && burn >= 0.7 ? "bg-amber-500" : "bg-primary"}`}
                style={{ width: `${Math.min(100, (burn ?? 0) * 100)}%` }}
              />
            </div>
          ) : null}
          {q.monthly_quota && q.projected_month_end > q.monthly_quota ? (
            <p className="text-destructive">At this pace the month ends at {num(q.projected_month_end)}, over the quota.</p>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
