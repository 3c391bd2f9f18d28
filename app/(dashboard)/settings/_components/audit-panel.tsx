"use client";

import { ChevronRight, ScrollText, X } from "lucide-react";
import { Fragment, useMemo } from "react";
import { useFormat } from "@/components/format-provider";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { FILTER_ALL, FilterSelect } from "@/components/ui/filter-select";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { errorMessage } from "@/lib/hooks/api-client";
import { useAuditLog, type AuditItem } from "@/lib/hooks/use-audit-log";
import { useUrlState } from "@/lib/hooks/use-url-state";

const filterKeys = ["actor", "action", "from", "to"] as const;

/** "member.role_changed" → "Member role changed". */
export function actionLabel(action: string): string {
  const text = action.replace(/[._]/g, " ").trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const fieldLabel = (key: string) => {
  const text = key.replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
};

// What a top-level { from, to } describes, per action family.
const changeSubject: Record<string, string> = { member: "Role", provider_config: "Status", template: "Version", webhook_endpoint: "Status" };

interface DiffRow {
  field: string;
  from?: string;
  to?: string;
  value?: string;
}

const show = (v: unknown): string => {
  if (v === null || v === undefined || v === "") return "—";
  if (Array.isArray(v)) return v.length ? v.map(show).join(", ") : "none";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
};
const isChange = (v: unknown): v is { from: unknown; to: unknown } => typeof v === "object" && v !== null && !Array.isArray(v) && "from" in v && "to" in v;

/** An entry's details as readable rows: before → after where the entry recorded both, else the values. */
export function describeDetails(action: string, details: Record<string, unknown>): DiffRow[] {
  const rows: DiffRow[] = [];
  if ("from" in details && "to" in details) {
    rows.push({ field: changeSubject[action.split(".")[0]!] ?? "Value", from: show(details.from), to: show(details.to) });
  }
  for (const [key, value] of Object.entries(details)) {
    if (key === "from" || key === "to") continue;
    if (isChange(value)) rows.push({ field: fieldLabel(key), from: show(value.from), to: show(value.to) });
    else if (key === "changed" || key === "fields") rows.push({ field: "Changed fields", value: Array.isArray(value) ? value.map((f) => fieldLabel(String(f))).join(", ") : show(value) });
    else rows.push({ field: fieldLabel(key), value: show(value) });
  }
  return rows;
}

function Diff({ item }: { item: AuditItem }) {
  const rows = describeDetails(item.action, item.details);
  return (
    <div className="grid gap-3 py-2">
      {rows.length === 0 ? (
        <p className="text-sm text-muted-foreground">No further details were recorded.</p>
      ) : (
        <dl className="grid grid-cols-[minmax(0,10rem)_minmax(0,1fr)] gap-x-4 gap-y-1 text-sm" data-testid="audit-diff">
          {rows.map((r, i) => (
            <Fragment key={`${r.field}-${i}`}>
              <dt className="text-muted-foreground">{r.field}</dt>
              <dd className="min-w-0 break-words">
                {r.value !== undefined ? (
                  r.value
                ) : (
                  <>
                    <del className="rounded bg-destructive/10 px-1 text-destructive no-underline" aria-label={`was ${r.from}`}>
                      {r.from}
                    </del>
                    <span aria-hidden> → </span>
                    <ins className="rounded bg-success/10 px-1 no-underline" aria-label={`now ${r.to}`}>
                      {r.to}
                    </ins>
                  </>
                )}
              </dd>
            </Fragment>
          ))}
        </dl>
      )}
      <p className="text-xs break-all text-muted-foreground">
        {item.target.type}
        {item.target.id ? ` ${item.target.id}` : ""}
        {item.request_id ? ` · request ${item.request_id}` : ""}
      </p>
    </div>
  );
}

export function AuditPanel() {
  const fmt = useFormat();
  const [url, setUrl] = useUrlState([...filterKeys, "entry"] as const);
  const filters = {
    actor: url.actor ?? undefined,
    action: url.action ?? undefined,
    since: url.from ? fmt.dayStart(url.from) : undefined,
    until: url.to ? fmt.dayEnd(url.to) : undefined,
  };
  const log = useAuditLog(filters);
  const rows = log.data?.pages.flatMap((p) => p.data) ?? [];
  const facets = log.data?.pages[0]?.facets;
  const filtered = filterKeys.some((k) => url[k]);
  const actorOptions = useMemo(() => (facets?.actors ?? []).map((a) => ({ value: a.id ?? a.label, label: a.label })), [facets]);
  const actionOptions = useMemo(() => {
    const families = [...new Set((facets?.actions ?? []).map((a) => a.split(".")[0]!))];
    return [
      ...families.map((f) => ({ value: `${f}.*`, label: `${actionLabel(f)}: any` })),
      ...(facets?.actions ?? []).map((a) => ({ value: a, label: actionLabel(a) })),
    ];
  }, [facets]);
  const setFilter = (patch: Partial<Record<(typeof filterKeys)[number], string | null>>) => setUrl({ ...patch, entry: null }, { push: true });

  return (
    <Card>
      <CardHeader>
        <CardTitle>Audit log</CardTitle>
        <CardDescription>Every change to providers, keys, members and roles: who did what to whom, and when ({fmt.zone()}).</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        <div className="flex flex-wrap items-end gap-3" role="group" aria-label="Filter the audit log">
          <FilterSelect label="Who" value={url.actor ?? FILTER_ALL} onChange={(v) => setFilter({ actor: v === FILTER_ALL ? null : v })} options={actorOptions} className="w-56" />
          <FilterSelect label="Action" value={url.action ?? FILTER_ALL} onChange={(v) => setFilter({ action: v === FILTER_ALL ? null : v })} options={actionOptions} className="w-56" />
          <div className="grid gap-1.5">
            <Label htmlFor="audit-from" className="text-xs text-muted-foreground">
              From ({fmt.zone()})
            </Label>
            <Input id="audit-from" type="date" value={url.from ?? ""} onChange={(e) => setFilter({ from: e.target.value })} className="w-40" />
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor="audit-to" className="text-xs text-muted-foreground">
              To ({fmt.zone()})
            </Label>
            <Input id="audit-to" type="date" value={url.to ?? ""} onChange={(e) => setFilter({ to: e.target.value })} className="w-40" />
          </div>
          {filtered ? (
            <Button variant="ghost" size="sm" onClick={() => setFilter({ actor: null, action: null, from: null, to: null })}>
              <X aria-hidden /> Clear filters
            </Button>
          ) : null}
        </div>
        {log.isPending ? (
          <Skeleton className="h-24 w-full" />
        ) : log.isError ? (
          <p className="text-sm text-destructive">{errorMessage(log.error)}</p>
        ) : rows.length === 0 ? (
          <EmptyState
            icon={ScrollText}
            title={filtered ? "No entries match these filters" : "Nothing recorded yet"}
            description={filtered ? "Widen the dates or clear a filter." : "Changes made in this tenant will appear here."}
          />
        ) : (
          <>
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>When</TableHead>
                  <TableHead>Who</TableHead>
                  <TableHead>What</TableHead>
                  <TableHead>Target</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {rows.map((r) => {
                  const open = url.entry === String(r.id);
                  return (
                    <Fragment key={r.id}>
                      <TableRow data-testid="audit-row">
                        <TableCell className="sm:whitespace-nowrap">
                          <button
                            type="button"
                            className="flex items-center gap-1 rounded text-left outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
                            aria-expanded={open}
                            aria-controls={open ? `audit-entry-${r.id}` : undefined}
                            onClick={() => setUrl({ entry: open ? null : String(r.id) })}
                          >
                            <ChevronRight className={`size-4 shrink-0 transition-transform ${open ? "rotate-90" : ""}`} aria-hidden />
                            {fmt.dateTime(r.created_at)}
                            <span className="sr-only">{open ? "Hide details" : "Show details"}</span>
                          </button>
                        </TableCell>
                        <TableCell className="break-all">{r.actor.label}</TableCell>
                        <TableCell>{actionLabel(r.action)}</TableCell>
                        <TableCell className="break-all">
                          {r.target.label ?? <span className="text-muted-foreground">{r.target.type}</span>}
                          {!open && describeDetails(r.action, r.details)[0]?.to ? (
                            <span className="block text-xs text-muted-foreground">
                              {describeDetails(r.action, r.details)[0]!.from} → {describeDetails(r.action, r.details)[0]!.to}
                            </span>
                          ) : null}
                        </TableCell>
                      </TableRow>
                      {open ? (
                        <TableRow id={`audit-entry-${r.id}`} className="bg-muted/30 hover:bg-muted/30">
                          <TableCell colSpan={4} className="whitespace-normal">
                            <Diff item={r} />
                          </TableCell>
                        </TableRow>
                      ) : null}
                    </Fragment>
                  );
                })}
              </TableBody>
            </Table>
            {log.hasNextPage ? (
              <Button variant="outline" className="justify-self-start" onClick={() => log.fetchNextPage()} disabled={log.isFetchingNextPage}>
                {log.isFetchingNextPage ? "Loading…" : "Load older entries"}
              </Button>
            ) : null}
          </>
        )}
      </CardContent>
    </Card>
  );
}
