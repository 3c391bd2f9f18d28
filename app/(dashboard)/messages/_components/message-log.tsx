"use client";

import { Download, Inbox, Search, X } from "lucide-react";
import { useFormat } from "@/components/format-provider";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { FILTER_ALL, FilterSelect } from "@/components/ui/filter-select";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Pagination } from "@/components/ui/pagination";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow, TableRowOpen } from "@/components/ui/table";
import { errorMessage } from "@/lib/hooks/api-client";
import { useMessages, type MessageFilters } from "@/lib/hooks/use-messages";
import { useProviderConfigs } from "@/lib/hooks/use-provider-configs";
import { useUrlCursor, useUrlInput, useUrlState } from "@/lib/hooks/use-url-state";
import { channels, messageStatuses } from "@/lib/validations/messages";
import { providerKinds, providerLabels, type ProviderKind } from "@/lib/validations/provider-configs";
import { MessageDrawer } from "./message-drawer";
import { MessageStatusBadge } from "./status-badge";

const PAGE_SIZE = 50;
// reminder_run_id: linked from a reminder run's figures, the run's messages.
const filterKeys = ["channel", "status", "provider", "config", "q", "from", "to", "reminder_run_id"] as const;
const cleared = Object.fromEntries(filterKeys.map((k) => [k, null])) as Record<(typeof filterKeys)[number], null>;

export function MessageLog() {
  const fmt = useFormat();
  const [url, setUrl] = useUrlState([...filterKeys, "id"] as const);
  const pager = useUrlCursor();
  // Back/Forward to another search shows that search in the box.
  const [search, setSearch] = useUrlInput(url.q);
  const configs = useProviderConfigs();

  const filters: MessageFilters = {
    channel: url.channel ?? undefined,
    status: url.status ?? undefined,
    provider: url.provider ?? undefined,
    config_id: url.config ?? undefined,
    q: url.q ?? undefined,
    // Date inputs are whole days in the user's zone.
    since: url.from ? fmt.dayStart(url.from) : undefined,
    until: url.to ? fmt.dayEnd(url.to) : undefined,
    reminder_run_id: url.reminder_run_id ?? undefined,
  };
  const page = useMessages(filters, pager.cursor, PAGE_SIZE, { withTotal: true });
  const filtered = filterKeys.some((k) => url[k]);
  const setFilter = (patch: Partial<Record<(typeof filterKeys)[number], string | null>>) => setUrl({ ...patch, ...pager.resetPatch }, { push: true });
  const select = (key: (typeof filterKeys)[number]) => (v: string) => setFilter({ [key]: v === FILTER_ALL ? null : v });
  const configName = (id: string | null) => configs.data?.find((c) => c.id === id)?.display_name;
  const exportQuery = new URLSearchParams(Object.entries(filters).filter((e): e is [string, string] => Boolean(e[1])));
  const total = page.data?.total;
  const totalText = total === undefined ? null : `${fmt.number(total)}${page.data?.total_capped ? "+" : ""} ${total === 1 ? "message" : "messages"}`;

  return (
    <div className="grid gap-4">
      <form
        className="flex flex-wrap items-end gap-3"
        aria-label="Filter messages"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter({ q: search.trim() || null });
        }}
      >
        <FilterSelect label="Channel" value={url.channel ?? FILTER_ALL} onChange={select("channel")} options={channels.map((c) => ({ value: c, label: c }))} />
        <FilterSelect label="Status" value={url.status ?? FILTER_ALL} onChange={select("status")} options={messageStatuses.map((s) => ({ value: s, label: s }))} />
        <FilterSelect label="Provider" value={url.provider ?? FILTER_ALL} onChange={select("provider")} options={providerKinds.map((p) => ({ value: p, label: providerLabels[p] }))} />
        <FilterSelect label="Config" value={url.config ?? FILTER_ALL} onChange={select("config")} options={(configs.data ?? []).map((c) => ({ value: c.id, label: c.display_name }))} />
        <div className="grid gap-1.5">
          <Label htmlFor="msg-from" className="text-xs text-muted-foreground">
            From ({fmt.zone()})
          </Label>
          <Input id="msg-from" type="date" value={url.from ?? ""} onChange={(e) => setFilter({ from: e.target.value })} className="w-40" />
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="msg-to" className="text-xs text-muted-foreground">
            To ({fmt.zone()})
          </Label>
          <Input id="msg-to" type="date" value={url.to ?? ""} onChange={(e) => setFilter({ to: e.target.value })} className="w-40" />
        </div>
        {url.reminder_run_id ? (
          <Button type="button" variant="secondary" size="sm" onClick={() => setFilter({ reminder_run_id: null })} aria-label="Show all messages, not only this reminder run's">
            Reminder run {url.reminder_run_id.slice(0, 8)} ✕
          </Button>
        ) : null}
        <div className="grid w-full gap-1.5 sm:w-auto">
          <Label htmlFor="msg-q" className="text-xs text-muted-foreground">
            Recipient or id
          </Label>
          <div className="flex gap-2">
            <Input id="msg-q" type="search" placeholder="e.g. ada@example.org, +46701234567 or a message id" value={search} onChange={(e) => setSearch(e.target.value)} className="w-full sm:w-72" />
            <Button type="submit" variant="outline" size="icon" aria-label="Search messages">
              <Search aria-hidden />
            </Button>
          </div>
        </div>
      </form>

      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-sm text-muted-foreground" aria-live="polite" data-testid="message-total">
          {totalText ?? "\u00a0"}
        </p>
        <div className="flex flex-wrap gap-2">
          {filtered ? (
            <Button variant="ghost" size="sm" onClick={() => setUrl({ ...cleared, ...pager.resetPatch }, { push: true })}>
              <X aria-hidden /> Clear filters
            </Button>
          ) : null}
          <Button asChild variant="outline" size="sm">
            <a href={`/api/v1/messages/export${exportQuery.size ? `?${exportQuery}` : ""}`} download>
              <Download aria-hidden /> Export CSV
            </a>
          </Button>
        </div>
      </div>

      {page.isPending ? (
        <div className="grid gap-2">
          {Array.from({ length: 5 }, (_, i) => (
            <Skeleton key={i} className="h-10" />
          ))}
        </div>
      ) : page.isError ? (
        <p role="alert" className="text-sm text-destructive">
          {errorMessage(page.error)}
        </p>
      ) : page.data.data.length === 0 ? (
        <EmptyState
          icon={Inbox}
          title={filtered ? "No messages match these filters" : "No messages yet"}
          description={
            filtered
              ? "Change or clear the filters to see more."
              : "Messages sent through POST /api/v1/messages or the provider endpoints appear here with their attempts, status history and events."
          }
        />
      ) : (
        <>
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Created ({fmt.zone()})</TableHead>
                <TableHead>Channel</TableHead>
                <TableHead>Recipient</TableHead>
                <TableHead>Status</TableHead>
                <TableHead className="hidden md:table-cell">Provider</TableHead>
                <TableHead className="hidden text-right sm:table-cell">Attempts</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {page.data.data.map((m) => (
                <TableRowOpen key={m.id} rowId={m.id} onOpen={() => setUrl({ id: m.id }, { push: true })} aria-label={`Message to ${m.recipient}, ${m.status}`}>
                  <TableCell className="text-muted-foreground sm:whitespace-nowrap">{fmt.dateTime(m.created_at)}</TableCell>
                  <TableCell>{m.channel}</TableCell>
                  <TableCell className="min-w-32 font-mono text-xs break-all sm:max-w-64 sm:truncate sm:break-normal" title={m.recipient}>
                    {m.recipient}
                  </TableCell>
                  <TableCell>
                    <MessageStatusBadge status={m.status} />
                  </TableCell>
                  <TableCell className="hidden md:table-cell">
                    {m.provider ? providerLabels[m.provider as ProviderKind] : "—"}
                    {configName(m.config_id) ? <span className="text-muted-foreground"> · {configName(m.config_id)}</span> : null}
                  </TableCell>
                  <TableCell className="hidden text-right tabular-nums sm:table-cell">{m.attempt_count}</TableCell>
                </TableRowOpen>
              ))}
            </TableBody>
          </Table>
          <Pagination
            pending={page.isFetching && page.isPlaceholderData}
            summary={`Page ${pager.page}`}
            previous={pager.hasPrevious ? pager.goPrevious : null}
            next={page.data.next_cursor ? () => pager.goNext(page.data.next_cursor!) : null}
          />
        </>
      )}
      <MessageDrawer id={url.id} onClose={() => setUrl({ id: null }, { push: true })} configName={configName} />
    </div>
  );
}
