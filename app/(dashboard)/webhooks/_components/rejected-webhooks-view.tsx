"use client";

import { ShieldAlert } from "lucide-react";
import { useFormat } from "@/components/format-provider";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { FILTER_ALL, FilterSelect } from "@/components/ui/filter-select";
import { useReturnFocus } from "@/components/ui/return-focus";
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from "@/components/ui/sheet";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow, TableRowOpen } from "@/components/ui/table";
import { errorMessage } from "@/lib/hooks/api-client";
import { useProviderConfigs } from "@/lib/hooks/use-provider-configs";
import { useRejectedWebhook, useRejectedWebhooks } from "@/lib/hooks/use-webhook-events";
import { useUrlState } from "@/lib/hooks/use-url-state";
import { providerLabels, webhookProviderKinds } from "@/lib/providers/definitions";
import { webhookRefusalReasons, type WebhookRejectedRequestOut } from "@/lib/validations/webhook-events";

/** Each refusal in words a tenant admin can act on. */
export const refusalReasonLabels: Record<WebhookRejectedRequestOut["reason"], string> = {
  bad_signature: "Signature did not match",
  missing_signature: "No signature sent",
  stale_timestamp: "Signed too long ago",
  no_verification_key: "Config has no verification key",
  replayed_signature: "Signature reused on other data",
  unknown_config: "No config at this URL",
  unparsable: "Body could not be read",
  too_large: "Body too large",
};

const providerName = (p: string) => providerLabels[p as keyof typeof providerLabels] ?? p;

export function RejectedWebhooksView() {
  const fmt = useFormat();
  const [url, setUrl] = useUrlState(["provider", "reason", "config", "rejected"] as const);
  const query = useRejectedWebhooks({ provider: url.provider ?? undefined, reason: url.reason ?? undefined, configId: url.config ?? undefined });
  const configs = useProviderConfigs();
  const configName = (id: string | null) => (id ? configs.data?.find((c) => c.id === id)?.display_name : undefined);
  const rows = query.data?.pages.flatMap((p) => p.data) ?? [];
  const filtered = Boolean(url.provider || url.reason || url.config);
  const select = (key: "provider" | "reason") => (v: string) => setUrl({ [key]: v === FILTER_ALL ? null : v }, { push: true });

  return (
    <div className="grid gap-4">
      <div className="flex flex-wrap gap-2">
        <FilterSelect label="Provider" value={url.provider ?? FILTER_ALL} onChange={select("provider")} options={webhookProviderKinds.map((p) => ({ value: p, label: providerLabels[p] }))} />
        {url.config ? (
          <Button type="button" variant="secondary" size="sm" className="self-end" onClick={() => setUrl({ config: null }, { push: true })} aria-label="Show refused requests of every config">
            Config {configName(url.config) ?? `${url.config.slice(0, 8)}…`} ✕
          </Button>
        ) : null}
        <FilterSelect label="Reason" value={url.reason ?? FILTER_ALL} onChange={select("reason")} options={webhookRefusalReasons.map((r) => ({ value: r, label: refusalReasonLabels[r] }))} className="w-56" />
      </div>
      {query.isPending ? (
        <Skeleton className="h-40 w-full" />
      ) : query.isError ? (
        <p role="alert" className="text-sm text-destructive">
          {errorMessage(query.error)}
        </p>
      ) : rows.length === 0 ? (
        <EmptyState
          icon={ShieldAlert}
          title={filtered ? "No refused requests match these filters" : "No refused webhook requests"}
          description={filtered ? "Try another provider or reason." : "Requests Herald refuses (a wrong signature, an unknown config, a body it cannot read) are listed here so a misconfigured provider can be fixed."}
        />
      ) : (
        <>
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Received ({fmt.zone()})</TableHead>
                <TableHead>Provider</TableHead>
                <TableHead>Config</TableHead>
                <TableHead>Reason</TableHead>
                <TableHead>Source</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {rows.map((r) => (
                <TableRowOpen
                  key={r.id}
                  rowId={r.id}
                  onOpen={() => setUrl({ rejected: r.id }, { push: true })}
                  aria-label={`Refused ${providerName(r.provider)} request, ${refusalReasonLabels[r.reason]}`}
                  data-testid="rejected-webhook-row"
                >
                  <TableCell className="whitespace-nowrap">{fmt.dateTime(r.received_at)}</TableCell>
                  <TableCell>{providerName(r.provider)}</TableCell>
                  <TableCell className="max-w-40 truncate text-xs">
                    {configName(r.config_id) ?? <span className="font-mono">{r.path_config_id.slice(0, 8)}…</span>}
                  </TableCell>
                  <TableCell>
                    <Badge variant="warning">{refusalReasonLabels[r.reason]}</Badge>
                    <div className="text-xs text-muted-foreground">HTTP {r.status}</div>
                  </TableCell>
                  <TableCell className="font-mono text-xs break-all">{r.source_address ?? "—"}</TableCell>
                </TableRowOpen>
              ))}
            </TableBody>
          </Table>
          {query.hasNextPage ? (
            <Button variant="outline" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
              {query.isFetchingNextPage ? "Loading…" : "Load more"}
            </Button>
          ) : null}
        </>
      )}
      <p className="text-xs text-muted-foreground">
        The newest 500 refused requests are kept, at most 20 a minute per config; secret headers and URL tokens are stored only as a prefix and a length, and
        the body as its first 2 KB. Also at /api/v1/webhook-events/rejected.
      </p>
      <RejectedWebhookDrawer id={url.rejected} configName={configName} onClose={() => setUrl({ rejected: null }, { push: true })} />
    </div>
  );
}

function RejectedWebhookDrawer({ id, configName, onClose }: { id: string | null; configName: (id: string | null) => string | undefined; onClose: () => void }) {
  const fmt = useFormat();
  const one = useRejectedWebhook(id);
  const returnFocus = useReturnFocus(id);
  const r = one.data;
  return (
    <Sheet open={id !== null} onOpenChange={(open) => (open ? null : onClose())}>
      <SheetContent className="w-full overflow-y-auto sm:max-w-2xl" onCloseAutoFocus={returnFocus}>
        <SheetHeader>
          <SheetTitle>Refused webhook request</SheetTitle>
          <SheetDescription className="font-mono text-xs break-all">{id}</SheetDescription>
        </SheetHeader>
        <div className="grid gap-4 px-4 pb-4 text-sm">
          {one.isPending ? (
            <Skeleton className="h-40 w-full" />
          ) : one.isError || !r ? (
            <p role="alert" className="text-destructive">
              {one.error ? errorMessage(one.error) : "Not found"}
            </p>
          ) : (
            <>
              <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1">
                <dt className="text-muted-foreground">Received</dt>
                <dd>{fmt.dateTime(r.received_at)}</dd>
                <dt className="text-muted-foreground">Reason</dt>
                <dd>
                  {refusalReasonLabels[r.reason]} (HTTP {r.status})<div className="text-xs text-muted-foreground break-words">{r.detail}</div>
                </dd>
                <dt className="text-muted-foreground">Provider path</dt>
                <dd className="break-all">
                  {providerName(r.provider)} · <span className="font-mono text-xs">{r.path_config_id}</span>
                  {configName(r.config_id) ? <div className="text-xs text-muted-foreground">config {configName(r.config_id)}</div> : null}
                </dd>
                <dt className="text-muted-foreground">Source</dt>
                <dd className="font-mono text-xs break-all">{r.source_address ?? "—"}</dd>
                {r.query ? (
                  <>
                    <dt className="text-muted-foreground">Query</dt>
                    <dd className="font-mono text-xs break-all">{r.query}</dd>
                  </>
                ) : null}
              </dl>
              <section aria-labelledby="rejected-headers" className="grid gap-1">
                <h3 id="rejected-headers" className="font-medium">
                  Headers
                </h3>
                <pre className="max-h-64 overflow-auto rounded-md bg-muted p-2 text-xs whitespace-pre-wrap break-all">
                  {Object.entries(r.headers)
                    .map(([k, v]) => `${k}: ${v}`)
                    .join("\n")}
                </pre>
              </section>
              <section aria-labelledby="rejected-payload" className="grid gap-1">
                <h3 id="rejected-payload" className="font-medium">
                  Payload {r.payload_bytes !== null && r.payload_bytes > 2048 ? `(first 2 KB of ${fmt.number(r.payload_bytes)} bytes)` : ""}
                </h3>
                <pre className="max-h-96 overflow-auto rounded-md bg-muted p-2 text-xs whitespace-pre-wrap break-all">{r.payload_excerpt || "(no body read)"}</pre>
              </section>
            </>
          )}
        </div>
      </SheetContent>
    </Sheet>
  );
}
