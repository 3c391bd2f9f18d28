"use client";

import { pivot, UsageChart } from "@/components/charts/usage-chart";
import { num, pct } from "@/components/usage/format";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Segmented } from "@/components/ui/segmented";
import { useOverview } from "@/lib/hooks/use-usage";
import { useUrlState } from "@/lib/hooks/use-url-state";
import type { OverviewOut, OverviewRange } from "@/lib/validations/usage";

const RANGES: { value: OverviewRange; label: string }[] = [
  { value: "24h", label: "24 h" },
  { value: "7d", label: "7 d" },
  { value: "30d", label: "30 d" },
];

function Stat({ title, value, hint, testId }: { title: string; value: string; hint: string; testId: string }) {
  return (
    <Card>
      <CardHeader>
        <CardDescription>{title}</CardDescription>
        <CardTitle className="text-2xl tabular-nums" data-testid={testId}>
          {value}
        </CardTitle>
      </CardHeader>
      <CardContent className="text-xs text-muted-foreground">{hint}</CardContent>
    </Card>
  );
}

export function OverviewView({ initial }: { initial: OverviewOut }) {
  // The range is in the URL (`?range=30d`): linkable, and Back returns to the previous one.
  const [url, setUrl] = useUrlState(["range"] as const);
  const range = (RANGES.find((r) => r.value === url.range)?.value ?? initial.range) as OverviewRange;
  const setRange = (r: OverviewRange) => setUrl({ range: r === initial.range ? null : r }, { push: true });
  const { data = initial } = useOverview(range, initial);
  const t = data.totals;
  const budget = data.error_budget;
  const channels = pivot(data.by_channel, "channel");
  const providers = pivot(data.by_provider, "provider");
  return (
    <div className="grid gap-6">
      <Segmented label="Range" value={range} options={RANGES} onChange={setRange} />
      <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
        <Stat title="Sends today" value={num(data.sends_today)} hint={`${num(t.sent)} sent in the last ${range}`} testId="overview-sends-today" />
        <Stat title="Delivery rate" value={pct(t.delivery_rate)} hint={`${num(t.delivered)} of ${num(t.sent)} delivered · ${num(t.bounced)} bounced · ${num(t.failed)} failed`} testId="overview-delivery-rate" />
        <Stat title="Open rate (email)" value={pct(t.open_rate)} hint={`${num(t.opened)} unique opens · ${num(t.clicked)} unique clicks (${pct(t.click_rate)})`} testId="overview-open-rate" />
        <Stat
          title="Error budget left"
          value={pct(budget.remaining)}
          hint={`${budget.explanation} (${num(t.failed)} failed, ${num(t.bounced)} bounced)`}
          testId="overview-error-budget"
        />
      </div>
      <div className="grid gap-4 xl:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>Sent per channel</CardTitle>
          </CardHeader>
          <CardContent>
            {channels.series.length ? (
              <UsageChart data={channels.data} series={channels.series} granularity={data.granularity} label="Messages sent per channel" />
            ) : (
              <p className="text-sm text-muted-foreground">Nothing sent in this range.</p>
            )}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Sent per provider</CardTitle>
          </CardHeader>
          <CardContent>
            {providers.series.length ? (
              <UsageChart data={providers.data} series={providers.series} granularity={data.granularity} label="Messages sent per provider" />
            ) : (
              <p className="text-sm text-muted-foreground">Nothing sent through a provider in this range.</p>
            )}
          </CardContent>
        </Card>
      </div>
    </div>
  );
}
