"use client";

import { PhoneIncoming, RotateCw } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Pagination } from "@/components/ui/pagination";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow, TableRowOpen } from "@/components/ui/table";
import { toast } from "@/components/ui/toaster";
import { errorMessage } from "@/lib/hooks/api-client";
import { useUrlCursor, useUrlInput, useUrlState } from "@/lib/hooks/use-url-state";
import { useCallCounters, useCalls, useRetryPublishes, type CallFiltersState } from "@/lib/hooks/use-calls";
import { CallTimelineSheet } from "./call-timeline-sheet";
import { PublishStatusBadge } from "./publish-status-badge";
import { SchoolSelect } from "./school-select";
import { useFormat } from "@/components/format-provider";

const ALL = "__all__";

export function formatDuration(seconds: number | null): string {
  if (seconds === null) return "—";
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return m > 0 ? `${m}m ${String(s).padStart(2, "0")}s` : `${s}s`;
}

function Counters() {
  const counters = useCallCounters();
  const c = counters.data;
  const items = [
    { label: "Active now", value: c?.active_calls },
    { label: "Today", value: c?.today.total },
    { label: "Answered", value: c?.today.answered },
    { label: "Missed", value: c?.today.missed },
    { label: "Failed", value: c?.today.failed },
    { label: "Awaiting publish", value: c?.publish.queued },
    { label: "Dead-lettered", value: c?.publish.dead_lettered, alert: (c?.publish.dead_lettered ?? 0) > 0 },
  ];
  return (
    <div className="grid grid-cols-2 gap-3 sm:grid-cols-4 lg:grid-cols-7" aria-live="polite">
      {items.map((i) => (
        <Card key={i.label} className="gap-1 py-4">
          <CardContent className="px-4">
            <div className="text-xs text-muted-foreground">{i.label}</div>
            {counters.isPending ? (
              <Skeleton className="mt-1 h-7 w-10" />
            ) : (
              <div className={`text-2xl font-semibold tabular-nums ${i.alert ? "text-destructive" : ""}`}>{i.value ?? "—"}</div>
            )}
          </CardContent>
        </Card>
      ))}
    </div>
  );
}

export function CallsView({ canWrite }: { canWrite: boolean }) {
  const fmt = useFormat();
  const [url, setUrl] = useUrlState(["school", "number", "outcome", "publish", "from", "to", "call"] as const);
  const pager = useUrlCursor();
  const retry = useRetryPublishes();
  const counters = useCallCounters();
  // The number box filters as you type (replacing history); the other filters are steps Back can undo.
  const [number, setNumber] = useUrlInput(url.number, (input, value) => input.replace(/\s/g, "") === value);

  const numberValid = number === "" || /^\+?\d{3,15}$/.test(number.replace(/\s/g, ""));
  const query: CallFiltersState = {
    school_id: url.school ?? undefined,
    number: url.number ?? undefined,
    outcome: (url.outcome ?? undefined) as CallFiltersState["outcome"],
    publish_status: (url.publish ?? undefined) as CallFiltersState["publish_status"],
    from: url.from ? fmt.dayStart(url.from) : undefined,
    to: url.to ? fmt.dayEnd(url.to) : undefined,
  };
  const calls = useCalls(query, pager.cursor);

  function update(patch: Partial<Record<"school" | "outcome" | "publish" | "from" | "to", string | null>>) {
    setUrl({ ...patch, ...pager.resetPatch }, { push: true });
  }
  function updateNumber(value: string) {
    setNumber(value);
    const clean = value.replace(/\s/g, "");
    if (value === "" || /^\+?\d{3,15}$/.test(clean)) setUrl({ number: clean || null, ...pager.resetPatch });
  }

  const deadLettered = counters.data?.publish.dead_lettered ?? 0;
  const filtered = Object.values(query).some(Boolean);

  return (
    <div className="grid gap-4">
      <Counters />
      {deadLettered > 0 ? (
        <div className="flex flex-wrap items-center justify-between gap-3 rounded-md border border-destructive/40 bg-destructive/5 p-3 text-sm">
          <span>
            {deadLettered} call event{deadLettered === 1 ? "" : "s"} could not be published to RabbitMQ after every retry.
          </span>
          {canWrite ? (
            <Button
              size="sm"
              variant="outline"
              disabled={retry.isPending}
              onClick={() =>
                retry.mutate(
                  {},
                  {
                    onSuccess: (r) => toast.success(`Requeued ${r.requeued_events} event(s) and ${r.requeued_commands} command(s)`),
                    onError: (err) => toast.error(errorMessage(err)),
                  },
                )
              }
            >
              <RotateCw aria-hidden /> Retry all
            </Button>
          ) : null}
        </div>
      ) : null}

      <Card>
        <CardHeader>
          <CardTitle>Call log</CardTitle>
          <CardDescription>Newest first. Select a call to see its event timeline.</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-4">
          <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-6">
            <div className="grid gap-1.5 lg:col-span-2">
              <Label htmlFor="filter-school">School</Label>
              <SchoolSelect id="filter-school" value={url.school} onChange={(school) => update({ school })} noneLabel="All schools" />
            </div>
            <div className="grid gap-1.5">
              <Label htmlFor="filter-number">Number</Label>
              <Input
                id="filter-number"
                type="search"
                placeholder="e.g. +994501234567"
                value={number}
                aria-invalid={!numberValid}
                aria-describedby={numberValid ? undefined : "filter-number-error"}
                onChange={(e) => updateNumber(e.target.value)}
              />
              {numberValid ? null : (
                <p id="filter-number-error" className="text-xs text-destructive">
                  Digits only, 3 to 15, optionally starting with +
                </p>
              )}
            </div>
            <div className="grid gap-1.5">
              <Label htmlFor="filter-outcome">Outcome</Label>
              <Select value={url.outcome ?? ALL} onValueChange={(outcome) => update({ outcome: outcome === ALL ? null : outcome })}>
                <SelectTrigger id="filter-outcome" className="w-full">
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  <SelectItem value={ALL}>Any outcome</SelectItem>
                  <SelectItem value="active">In progress</SelectItem>
                  <SelectItem value="answered">Answered</SelectItem>
                  <SelectItem value="missed">Missed</SelectItem>
                  <SelectItem value="failed">Failed</SelectItem>
                </SelectContent>
              </Select>
            </div>
            <div className="grid gap-1.5">
              <Label htmlFor="filter-from">From ({fmt.zone()})</Label>
              <Input id="filter-from" type="date" value={url.from ?? ""} onChange={(e) => update({ from: e.target.value })} />
            </div>
            <div className="grid gap-1.5">
              <Label htmlFor="filter-to">To ({fmt.zone()})</Label>
              <Input id="filter-to" type="date" value={url.to ?? ""} onChange={(e) => update({ to: e.target.value })} />
            </div>
            <div className="grid gap-1.5">
              <Label htmlFor="filter-publish">Publish status</Label>
              <Select value={url.publish ?? ALL} onValueChange={(publish) => update({ publish: publish === ALL ? null : publish })}>
                <SelectTrigger id="filter-publish" className="w-full">
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  <SelectItem value={ALL}>Any</SelectItem>
                  <SelectItem value="queued">Queued</SelectItem>
                  <SelectItem value="published">Published</SelectItem>
                  <SelectItem value="dead_lettered">Dead-lettered</SelectItem>
                </SelectContent>
              </Select>
            </div>
          </div>

          {calls.isPending ? (
            <Skeleton className="h-48 w-full" />
          ) : calls.isError ? (
            <p className="text-sm text-destructive">{errorMessage(calls.error)}</p>
          ) : calls.data.data.length === 0 ? (
            <EmptyState
              icon={PhoneIncoming}
              title={filtered ? "No calls match these filters" : "No calls yet"}
              description={
                filtered
                  ? "Widen the dates or clear a filter."
                  : "Calls appear here as soon as your telephony server posts events to /api/call-events with the tenant's telephony token (Settings)."
              }
            />
          ) : (
            <>
              <Table>
                <TableHeader>
                  <TableRow>
                    <TableHead>Time ({fmt.zone()})</TableHead>
                    <TableHead>From</TableHead>
                    <TableHead>To</TableHead>
                    <TableHead>School</TableHead>
                    <TableHead>Outcome</TableHead>
                    <TableHead className="text-right">Duration</TableHead>
                    <TableHead>Publish status</TableHead>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {calls.data.data.map((c) => (
                    <TableRowOpen key={c.id} rowId={c.id} onOpen={() => setUrl({ call: c.id }, { push: true })} aria-label={`Call from ${c.from_number}`}>
                      <TableCell className="whitespace-nowrap">{fmt.dateTime(c.first_event_at)}</TableCell>
                      <TableCell className="font-mono text-xs">{c.from_number}</TableCell>
                      <TableCell className="font-mono text-xs">
                        {c.to_number}
                        {c.forwarded_to ? <div className="text-muted-foreground">→ {c.forwarded_to}</div> : null}
                      </TableCell>
                      <TableCell>{c.school?.name ?? <span className="text-muted-foreground">—</span>}</TableCell>
                      <TableCell>
                        {c.status === "active" ? (
                          <span className="text-info">In progress{c.outcome === "answered" ? " · answered" : ""}</span>
                        ) : (
                          <span className="capitalize">{c.outcome ?? "ended"}</span>
                        )}
                      </TableCell>
                      <TableCell className="text-right tabular-nums">{formatDuration(c.duration_seconds)}</TableCell>
                      <TableCell>
                        <PublishStatusBadge status={c.publish_status} />
                      </TableCell>
                    </TableRowOpen>
                  ))}
                </TableBody>
              </Table>
              <Pagination
                summary={`Page ${pager.page}`}
                pending={calls.isFetching && calls.isPlaceholderData}
                previous={pager.hasPrevious ? pager.goPrevious : null}
                next={calls.data.next_cursor ? () => pager.goNext(calls.data.next_cursor!) : null}
              />
            </>
          )}
        </CardContent>
      </Card>
      <CallTimelineSheet callId={url.call} onClose={() => setUrl({ call: null }, { push: true })} canWrite={canWrite} />
    </div>
  );
}
