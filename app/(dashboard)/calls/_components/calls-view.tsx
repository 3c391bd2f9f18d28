"use client";

import { PhoneIncoming, RotateCw } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Pagination, useCursorPagination } from "@/components/ui/pagination";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { toast } from "@/components/ui/toaster";
import { formatDateTime } from "@/lib/format";
import { errorMessage } from "@/lib/hooks/api-client";
import { useCallCounters, useCalls, useRetryPublishes, type CallFiltersState } from "@/lib/hooks/use-calls";
import { CallTimelineSheet } from "./call-timeline-sheet";
import { PublishStatusBadge } from "./publish-status-badge";
import { SchoolSelect } from "./school-select";

const ALL = "__all__";

export function formatDuration(seconds: number | null): string {
  if (seconds === null) return "—";
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return m > 0 ? `${m}m ${String(s).padStart(2, "0")}s` : `${s}s`;
}

/** Local calendar day → the ISO instant the API filters on. */
function dayBound(day: string, end: boolean): string | undefined {
  if (!day) return undefined;
  const d = new Date(`${day}T00:00:00`);
  if (end) {
    d.setDate(d.getDate() + 1);
    d.setMilliseconds(-1);
  }
  return d.toISOString();
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
  const [filters, setFilters] = useState<{ school: string | null; number: string; outcome: string; publish: string; from: string; to: string }>({
    school: null,
    number: "",
    outcome: ALL,
    publish: ALL,
    from: "",
    to: "",
  });
  const pager = useCursorPagination();
  const [openId, setOpenId] = useState<string | null>(null);
  const retry = useRetryPublishes();
  const counters = useCallCounters();

  const numberValid = filters.number === "" || /^\+?\d{3,15}$/.test(filters.number.replace(/\s/g, ""));
  const query: CallFiltersState = {
    school_id: filters.school ?? undefined,
    number: numberValid && filters.number ? filters.number.replace(/\s/g, "") : undefined,
    outcome: filters.outcome === ALL ? undefined : (filters.outcome as CallFiltersState["outcome"]),
    publish_status: filters.publish === ALL ? undefined : (filters.publish as CallFiltersState["publish_status"]),
    from: dayBound(filters.from, false),
    to: dayBound(filters.to, true),
  };
  const calls = useCalls(query, pager.cursor);

  function update(patch: Partial<typeof filters>) {
    setFilters((f) => ({ ...f, ...patch }));
    pager.reset();
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
              <SchoolSelect id="filter-school" value={filters.school} onChange={(school) => update({ school })} noneLabel="All schools" />
            </div>
            <div className="grid gap-1.5">
              <Label htmlFor="filter-number">Number</Label>
              <Input
                id="filter-number"
                placeholder="+994…"
                value={filters.number}
                aria-invalid={!numberValid}
                onChange={(e) => update({ number: e.target.value })}
              />
            </div>
            <div className="grid gap-1.5">
              <Label htmlFor="filter-outcome">Outcome</Label>
              <Select value={filters.outcome} onValueChange={(outcome) => update({ outcome })}>
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
              <Label htmlFor="filter-from">From</Label>
              <Input id="filter-from" type="date" value={filters.from} onChange={(e) => update({ from: e.target.value })} />
            </div>
            <div className="grid gap-1.5">
              <Label htmlFor="filter-to">To</Label>
              <Input id="filter-to" type="date" value={filters.to} onChange={(e) => update({ to: e.target.value })} />
            </div>
            <div className="grid gap-1.5">
              <Label htmlFor="filter-publish">Publish status</Label>
              <Select value={filters.publish} onValueChange={(publish) => update({ publish })}>
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
                    <TableHead>Time</TableHead>
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
                    <TableRow
                      key={c.id}
                      className="cursor-pointer"
                      tabIndex={0}
                      onClick={() => setOpenId(c.id)}
                      onKeyDown={(e) => {
                        if (e.key === "Enter" || e.key === " ") {
                          e.preventDefault();
                          setOpenId(c.id);
                        }
                      }}
                    >
                      <TableCell className="whitespace-nowrap">{formatDateTime(c.first_event_at)}</TableCell>
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
                    </TableRow>
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
      <CallTimelineSheet callId={openId} onClose={() => setOpenId(null)} canWrite={canWrite} />
    </div>
  );
}
