"use client";

import { Badge } from "@/components/ui/badge";
import type { BreakerOut } from "@/lib/validations/provider-configs";
import { useFormat } from "@/components/format-provider";

const stateBadge: Record<BreakerOut["state"], { label: string; variant: "success" | "destructive" | "warning" | "secondary" }> = {
  closed: { label: "Healthy", variant: "success" },
  open: { label: "Degraded", variant: "destructive" },
  half_open: { label: "Probing", variant: "warning" },
};

const percent = (rate: number | null) => (rate === null ? "no calls" : `${(rate * 100).toFixed(1)} %`);

/** The config's circuit breaker: state, current error rate and its latest transitions. */
export function ConfigHealth({ health, used }: { health: BreakerOut; used: boolean }) {
  const fmt = useFormat();
  // A closed breaker on a config that never sent says nothing about health: not "Healthy" yet.
  const badge = !used && health.state === "closed" && health.calls_in_window === 0 ? ({ label: "Not used yet", variant: "secondary" } as const) : stateBadge[health.state];
  const p = health.policy;
  return (
    <section aria-label="Delivery health" className="grid gap-2 rounded-md border p-2">
      <div className="flex flex-wrap items-center gap-2">
        <Badge variant={badge.variant} data-testid="breaker-state">
          {badge.label}
        </Badge>
        <span className="text-muted-foreground">
          Error rate {percent(health.error_rate)} over {p.window_seconds} s ({health.failures_in_window}/{health.calls_in_window} calls)
        </span>
      </div>
      {health.degraded ? (
        <p className="text-xs">
          {health.reason}
          {health.open_until ? ` · next probe after ${fmt.dateTime(health.open_until)}` : ""}. Routing sends to the next config in the chain meanwhile.
        </p>
      ) : null}
      <p className="text-xs text-muted-foreground">
        Opens after {p.consecutive_failures} consecutive provider failures or above {p.error_rate_percent} % over {p.window_seconds} s (≥ {p.min_calls} calls); probes after {p.cooldown_seconds} s.
      </p>
      {health.transitions.length > 0 ? (
        <details className="text-xs">
          <summary className="cursor-pointer text-muted-foreground">Transitions ({health.transitions.length})</summary>
          <ol className="mt-1 grid gap-1">
            {health.transitions.map((t, i) => (
              <li key={`${t.at}-${i}`}>
                <span className="text-muted-foreground">{fmt.dateTime(t.at)}</span> {t.from} → <span className="font-medium">{t.to}</span>: {t.reason}
              </li>
            ))}
          </ol>
        </details>
      ) : null}
    </section>
  );
}
