"use client";

import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import type { RunOut } from "@/lib/validations/reminders";

const statusVariant = { scheduled: "outline", running: "info", completed: "success", cancelled: "secondary", failed: "destructive" } as const;

/** A run's progress bar and figures; the message figures link to Messages filtered by the run. */
export function RunProgress({ run }: { run: RunOut }) {
  const c = run.counts;
  const skipped = Object.entries(c.skipped_by_reason).map(([k, v]) => `${v} ${k.replace(/_/g, " ")}`).join(", ");
  return (
    <div className="grid gap-1.5" data-testid={`run-${run.id}`}>
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <Badge variant={statusVariant[run.status]}>{run.status}</Badge>
        <span className="font-medium" data-testid="run-percent">
          {c.percent}%
        </span>
        <span className="text-muted-foreground">
          {c.done.toLocaleString("en")} of {c.planned.toLocaleString("en")} sends done
        </span>
      </div>
      <div
        className="h-2 w-full overflow-hidden rounded-full bg-muted"
        role="progressbar"
        aria-label={`${run.rule_name}: ${c.percent}% done`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={c.percent}
      >
        <div className="h-full bg-primary transition-[width]" style={{ width: `${Math.min(100, c.percent)}%` }} />
      </div>
      <p className="text-xs text-muted-foreground">
        <Link className="text-primary underline-offset-2 hover:underline" href={`/messages?reminder_run_id=${run.id}`}>
          {c.messages.toLocaleString("en")} messages
        </Link>
        {" · "}
        {c.queued} queued · {c.sent} sent · {c.delivered} delivered · {c.failed} failed · {c.opened} opened · {c.clicked} clicked
        {c.pending ? ` · ${c.pending} pending` : ""}
        {c.skipped ? ` · ${c.skipped} skipped (${skipped})` : ""}
        {c.cancelled ? ` · ${c.cancelled} cancelled` : ""}
        {c.errored ? ` · ${c.errored} errored` : ""}
      </p>
      {run.error ? <p className="text-xs text-destructive">{run.error}</p> : null}
    </div>
  );
}
