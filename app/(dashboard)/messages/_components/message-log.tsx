"use client";

import { FILTER_ALL, FilterSelect } from "@/components/ui/filter-select";
import { Inbox, Search } from "lucide-react";
import { useMemo, useState } from "react";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Pagination } from "@/components/ui/pagination";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { messageStatuses } from "@/db/schema/messages";
import { formatDateTime } from "@/lib/format";
import { errorMessage } from "@/lib/hooks/api-client";
import { useMessages, type MessageFilters } from "@/lib/hooks/use-messages";
import { useProviderConfigs } from "@/lib/hooks/use-provider-configs";
import { channels } from "@/lib/validations/messages";
import { providerKinds, providerLabels, type ProviderKind } from "@/lib/validations/provider-configs";
import { MessageDrawer } from "./message-drawer";
import { MessageStatusBadge } from "./status-badge";

const ALL = FILTER_ALL;
const PAGE_SIZE = 50;

/** A date input (local day) as the ISO instant the API filters on. */
function dayBound(value: string, end: boolean): string | undefined {
  if (!value) return undefined;
  const d = new Date(`${value}T${end ? "23:59:59.999" : "00:00:00"}`);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function MessageLog() {
  const [channel, setChannel] = useState(ALL);
  const [status, setStatus] = useState(ALL);
  const [provider, setProvider] = useState(ALL);
  const [configId, setConfigId] = useState(ALL);
  const [search, setSearch] = useState("");
  const [q, setQ] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  // Keyset pagination: the cursors of the pages before this one.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [openId, setOpenId] = useState<string | null>(null);
  const configs = useProviderConfigs();

  const filters: MessageFilters = useMemo(
    () => ({
      channel: channel === ALL ? undefined : channel,
      status: status === ALL ? undefined : status,
      provider: provider === ALL ? undefined : provider,
      config_id: configId === ALL ? undefined : configId,
      q: q || undefined,
      since: dayBound(from, false),
      until: dayBound(to, true),
    }),
    [channel, status, provider, configId, q, from, to],
  );
  const cursor = cursors.at(-1) ?? null;
  const page = useMessages(filters, cursor, PAGE_SIZE);
  const reset = <T,>(set: (v: T) => void) => (v: T) => {
    set(v);
    setCursors([null]);
  };
  const filtered = Object.values(filters).some(Boolean);
  const configName = (id: string | null) => configs.data?.find((c) => c.id === id)?.display_name;

  return (
    <div className="grid gap-4">
      <form
        className="flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          setQ(search.trim());
          setCursors([null]);
        }}
      >
        <FilterSelect label="Channel" value={channel} onChange={reset(setChannel)} options={channels.map((c) => ({ value: c, label: c }))} />
        <FilterSelect label="Status" value={status} onChange={reset(setStatus)} options={messageStatuses.map((s) => ({ value: s, label: s }))} />
        <FilterSelect label="Provider" value={provider} onChange={reset(setProvider)} options={providerKinds.map((p) => ({ value: p, label: providerLabels[p] }))} />
        <FilterSelect label="Config" value={configId} onChange={reset(setConfigId)} options={(configs.data ?? []).map((c) => ({ value: c.id, label: c.display_name }))} />
        <div className="grid gap-1.5">
          <Label htmlFor="msg-from" className="text-xs text-muted-foreground">From</Label>
          <Input id="msg-from" type="date" value={from} onChange={(e) => reset(setFrom)(e.target.value)} className="w-40" />
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="msg-to" className="text-xs text-muted-foreground">To</Label>
          <Input id="msg-to" type="date" value={to} onChange={(e) => reset(setTo)(e.target.value)} className="w-40" />
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="msg-q" className="text-xs text-muted-foreground">Recipient</Label>
          <div className="flex gap-2">
            <Input id="msg-q" placeholder="Email, number, token…" value={search} onChange={(e) => setSearch(e.target.value)} className="w-56" />
            <Button type="submit" variant="outline" size="icon" aria-label="Search recipients">
              <Search aria-hidden />
            </Button>
          </div>
        </div>
      </form>

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
                <TableHead>Created</TableHead>
                <TableHead>Channel</TableHead>
                <TableHead>Recipient</TableHead>
                <TableHead>Status</TableHead>
                <TableHead>Provider</TableHead>
                <TableHead className="text-right">Attempts</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {page.data.data.map((m) => (
                <TableRow
                  key={m.id}
                  className="cursor-pointer"
                  tabIndex={0}
                  onClick={() => setOpenId(m.id)}
                  onKeyDown={(e) => {
                    if (e.key === "Enter" || e.key === " ") {
                      e.preventDefault();
                      setOpenId(m.id);
                    }
                  }}
                >
                  <TableCell className="whitespace-nowrap text-muted-foreground">{formatDateTime(m.created_at)}</TableCell>
                  <TableCell>{m.channel}</TableCell>
                  <TableCell className="max-w-64 truncate font-mono text-xs" title={m.recipient}>
                    {m.recipient}
                  </TableCell>
                  <TableCell>
                    <MessageStatusBadge status={m.status} />
                  </TableCell>
                  <TableCell>
                    {m.provider ? providerLabels[m.provider as ProviderKind] : "—"}
                    {configName(m.config_id) ? <span className="text-muted-foreground"> · {configName(m.config_id)}</span> : null}
                  </TableCell>
                  <TableCell className="text-right tabular-nums">{m.attempt_count}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          <Pagination
            pending={page.isFetching}
            summary={`Page ${cursors.length}`}
            previous={cursors.length > 1 ? () => setCursors((c) => c.slice(0, -1)) : null}
            next={page.data.next_cursor ? () => setCursors((c) => [...c, page.data.next_cursor]) : null}
          />
        </>
      )}
      <MessageDrawer id={openId} onClose={() => setOpenId(null)} configName={configName} />
    </div>
  );
}
