"use client";

import { FILTER_ALL, FilterSelect } from "@/components/ui/filter-select";
import { ChevronDown, ChevronRight, RotateCcw, ShieldCheck } from "lucide-react";
import { Fragment, useMemo, useState } from "react";
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from "@/components/ui/alert-dialog";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { EmptyState } from "@/components/ui/empty-state";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Pagination } from "@/components/ui/pagination";
import { Skeleton } from "@/components/ui/skeleton";
import { SubmitButton } from "@/components/ui/submit-button";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { toast } from "@/components/ui/toaster";
import { errorMessage } from "@/lib/hooks/api-client";
import { useDeadLetters, useReplayDeadLetters } from "@/lib/hooks/use-dead-letters";
import { deadLetterKinds, type DeadLetterFilterInput, type DeadLetterOut, type ReplayBody } from "@/lib/validations/dead-letters";
import { providerKinds, providerLabels, type ProviderKind } from "@/lib/validations/provider-configs";
import { useFormat } from "@/components/format-provider";
import { useUrlCursor, useUrlState } from "@/lib/hooks/use-url-state";

const ALL = FILTER_ALL;
const PAGE_SIZE = 50;

const kindLabels: Record<DeadLetterOut["kind"], string> = {
  message: "Message",
  communication_event: "Communication event",
  call_event: "Call event",
  job: "Workflow run",
  bus_action: "Bus action",
};

function AttemptHistory({ item }: { item: DeadLetterOut }) {
  const fmt = useFormat();
  return (
    <div className="grid gap-2 py-2 text-xs">
      {item.last_error ? (
        <p>
          <span className="font-medium">Last error: </span>
          <span className="font-mono">{item.last_error}</span>
        </p>
      ) : null}
      {item.idempotency_key && item.kind !== "bus_action" ? <p className="text-muted-foreground">Idempotency key {item.idempotency_key} (kept on replay)</p> : null}
      {item.kind === "bus_action" ? (
        <p className="text-muted-foreground">
          Refused {item.attempt_count} time(s) and copied to the dead-letter queue with this reason. Fix it at its producer and publish it again
          {item.idempotency_key ? ` (${item.idempotency_key} still sends at most once)` : ""}.
        </p>
      ) : item.attempts.length > 0 ? (
        <ol className="grid gap-1" aria-label="Attempt history">
          {item.attempts.map((a) => (
            <li key={a.attempt_no} className="flex flex-wrap gap-x-3">
              <span className="tabular-nums text-muted-foreground">#{a.attempt_no}</span>
              <span>{providerLabels[a.provider as ProviderKind] ?? a.provider}</span>
              <span className="font-medium">{a.outcome}</span>
              {a.response_code ? <span>HTTP {a.response_code}</span> : null}
              {a.error_message ? <span className="font-mono text-muted-foreground">{a.error_message}</span> : null}
              <span className="text-muted-foreground">{fmt.dateTime(a.started_at)}</span>
            </li>
          ))}
        </ol>
      ) : (
        <p className="text-muted-foreground">{item.attempt_count} attempt(s); no per-attempt history for this kind.</p>
      )}
      {item.replays.length > 0 ? (
        <p className="text-muted-foreground">
          Replayed {item.replays.map((r) => `by ${r.actor} at ${fmt.dateTime(r.replayed_at)}`).join("; ")}
        </p>
      ) : null}
    </div>
  );
}

/** Dead letters: what exhausted its retries, with history; admins select and replay. */
export function DeadLettersPanel({ canReplay }: { canReplay: boolean }) {
  const fmt = useFormat();
  // Filters and page in the URL (prefixed `dl_`, beside the log's own on the same page).
  const [url, setUrl] = useUrlState(["dl_kind", "dl_provider", "dl_since"] as const);
  const pager = useUrlCursor("dl_");
  const kind = url.dl_kind ?? ALL;
  const provider = url.dl_provider ?? ALL;
  const since = url.dl_since ?? "";
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [open, setOpen] = useState<Set<string>>(new Set());
  const [confirm, setConfirm] = useState<ReplayBody | null>(null);

  const filters: DeadLetterFilterInput = useMemo(
    () => ({
      kind: kind === ALL ? undefined : (kind as DeadLetterFilterInput["kind"]),
      provider: provider === ALL ? undefined : (provider as ProviderKind),
      // A whole day in the user's zone.
      since: since ? fmt.dayStart(since) : undefined,
    }),
    [kind, provider, since, fmt],
  );
  const page = useDeadLetters(filters, pager.cursor, PAGE_SIZE);
  const replay = useReplayDeadLetters();
  const rows = page.data?.data ?? [];
  const filtered = Object.values(filters).some(Boolean);

  const reset = (key: "dl_kind" | "dl_provider" | "dl_since") => (v: string) => {
    setUrl({ [key]: v === ALL ? null : v, ...pager.resetPatch }, { push: true });
    setSelected(new Set());
  };
  const toggle = (set: Set<string>, id: string) => {
    const next = new Set(set);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  };
  const allOnPage = rows.length > 0 && rows.every((r) => selected.has(r.id));

  const run = (body: ReplayBody) =>
    replay.mutate(body, {
      onSuccess: (r) => {
        setSelected(new Set());
        if (r.replayed.length > 0) toast.success(`Replayed ${r.replayed.length} dead letter(s)${r.skipped.length ? `; ${r.skipped.length} skipped` : ""}`);
        else toast.error(`Nothing replayed: ${r.skipped[0]?.reason ?? "no dead letters matched"}`);
      },
      onError: (e) => toast.error(errorMessage(e)),
    });

  return (
    <div className="grid gap-4">
      <div className="flex flex-wrap items-end gap-3">
        <FilterSelect className="w-48" label="Kind" value={kind} onChange={reset("dl_kind")} options={deadLetterKinds.map((k) => ({ value: k, label: kindLabels[k] }))} />
        <FilterSelect className="w-48" label="Provider" value={provider} onChange={reset("dl_provider")} options={providerKinds.map((p) => ({ value: p, label: providerLabels[p] }))} />
        <div className="grid gap-1.5">
          <Label htmlFor="dl-since" className="text-xs text-muted-foreground">Since ({fmt.zone()})</Label>
          <Input id="dl-since" type="date" value={since} onChange={(e) => reset("dl_since")(e.target.value)} className="w-40" />
        </div>
        {canReplay ? (
          <div className="ml-auto flex gap-2">
            <SubmitButton type="button" variant="outline" pending={replay.isPending} blockedReason={selected.size === 0 ? "Tick dead letters to replay" : null} onClick={() => setConfirm({ ids: [...selected] })}>
              <RotateCcw aria-hidden /> Replay selected ({selected.size})
            </SubmitButton>
            <SubmitButton type="button" variant="outline" pending={replay.isPending} blockedReason={rows.length === 0 ? "Nothing matches" : null} onClick={() => setConfirm({ filter: filters })}>
              Replay all matching
            </SubmitButton>
          </div>
        ) : null}
      </div>

      {page.isPending ? (
        <div className="grid gap-2">
          {Array.from({ length: 4 }, (_, i) => (
            <Skeleton key={i} className="h-10" />
          ))}
        </div>
      ) : page.isError ? (
        <p role="alert" className="text-sm text-destructive">
          {errorMessage(page.error)}
        </p>
      ) : rows.length === 0 ? (
        <EmptyState
          icon={ShieldCheck}
          title={filtered ? "No dead letters match these filters" : "No dead letters"}
          description="Messages that exhausted every route, and events the broker refused past their retries, land here with their history for replay."
        />
      ) : (
        <>
          <Table>
            <TableHeader>
              <TableRow>
                {canReplay ? (
                  <TableHead className="w-8">
                    <Checkbox
                      aria-label="Select all on this page"
                      checked={allOnPage}
                      onCheckedChange={(v) => setSelected(v ? new Set([...selected, ...rows.map((r) => r.id)]) : new Set())}
                    />
                  </TableHead>
                ) : null}
                <TableHead className="w-6" />
                <TableHead>Failed</TableHead>
                <TableHead>Kind</TableHead>
                <TableHead>What</TableHead>
                <TableHead>Provider</TableHead>
                <TableHead>Last error</TableHead>
                <TableHead className="text-right">Attempts</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {rows.map((r) => {
                const expanded = open.has(r.id);
                return (
                  <Fragment key={r.id}>
                    <TableRow data-state={selected.has(r.id) ? "selected" : undefined}>
                      {canReplay ? (
                        <TableCell>
                          <Checkbox aria-label={`Select ${r.id}`} checked={selected.has(r.id)} onCheckedChange={() => setSelected((s) => toggle(s, r.id))} />
                        </TableCell>
                      ) : null}
                      <TableCell>
                        <Button variant="ghost" size="icon-sm" aria-label={expanded ? "Hide history" : "Show history"} aria-expanded={expanded} onClick={() => setOpen((s) => toggle(s, r.id))}>
                          {expanded ? <ChevronDown aria-hidden /> : <ChevronRight aria-hidden />}
                        </Button>
                      </TableCell>
                      <TableCell className="whitespace-nowrap text-muted-foreground">{fmt.dateTime(r.failed_at)}</TableCell>
                      <TableCell>
                        <Badge variant="outline">{kindLabels[r.kind]}</Badge>
                        {r.replays.length > 0 ? <Badge variant="info" className="ml-1">replayed {r.replays.length}×</Badge> : null}
                      </TableCell>
                      <TableCell className="max-w-56 truncate text-xs" title={r.recipient ?? r.name ?? ""}>
                        {r.name ? <span className="mr-1 font-medium">{r.name}</span> : null}
                        <span className="font-mono">{r.recipient ?? ""}</span>
                      </TableCell>
                      <TableCell>{r.provider ? providerLabels[r.provider as ProviderKind] : "—"}</TableCell>
                      <TableCell className="max-w-72 truncate font-mono text-xs" title={r.last_error ?? ""}>
                        {r.last_error ?? "—"}
                      </TableCell>
                      <TableCell className="text-right tabular-nums">{r.attempt_count}</TableCell>
                    </TableRow>
                    {expanded ? (
                      <TableRow>
                        <TableCell colSpan={canReplay ? 8 : 7}>
                          <AttemptHistory item={r} />
                        </TableCell>
                      </TableRow>
                    ) : null}
                  </Fragment>
                );
              })}
            </TableBody>
          </Table>
          <Pagination
            pending={page.isFetching}
            summary={`Page ${pager.page}`}
            previous={pager.hasPrevious ? () => { pager.goPrevious(); setSelected(new Set()); } : null}
            next={page.data.next_cursor ? () => { pager.goNext(page.data.next_cursor!); setSelected(new Set()); } : null}
          />
        </>
      )}

      <AlertDialog open={confirm !== null} onOpenChange={(o) => !o && setConfirm(null)}>
        <AlertDialogContent>
          <AlertDialogHeader>
            <AlertDialogTitle>Replay dead letters?</AlertDialogTitle>
            <AlertDialogDescription>
              {confirm && "ids" in confirm
                ? `${confirm.ids.length} selected dead letter(s) go back into delivery.`
                : "Every dead letter matching the filters (up to 1,000) goes back into delivery."}{" "}
              Messages keep their idempotency key; each is sent at most once more, and the replay is recorded under your name.
            </AlertDialogDescription>
          </AlertDialogHeader>
          <AlertDialogFooter>
            <AlertDialogCancel>Cancel</AlertDialogCancel>
            <AlertDialogAction
              onClick={() => {
                if (confirm) run(confirm);
                setConfirm(null);
              }}
            >
              Replay
            </AlertDialogAction>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
    </div>
  );
}
