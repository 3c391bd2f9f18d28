"use client";

import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow, TableRowOpen } from "@/components/ui/table";
import { Inbox } from "lucide-react";
import { errorMessage } from "@/lib/hooks/api-client";
import { useUrlState } from "@/lib/hooks/use-url-state";
import { useWebhookEvents, useWebhookRejections } from "@/lib/hooks/use-webhook-events";
import { WebhookEventDrawer } from "./webhook-event-drawer";
import { providerLabels, webhookProviderKinds } from "@/lib/providers/definitions";
import { webhookEventFilterStatuses } from "@/lib/validations/webhook-events";
import { useFormat } from "@/components/format-provider";

const statusVariant = { processed: "success", pending: "info", unmatched: "warning", failed: "destructive" } as const;
const verificationLabel: Record<string, string> = {
  ecdsa_p256: "ECDSA P-256 signature",
  hmac_sha256: "HMAC-SHA256 signature",
  hmac_sha1: "HMAC-SHA1 signature",
  callback_token: "Callback token",
  polled: "Polled from the provider's API",
};
const ALL = "all";

export function WebhookEventsView() {
  const fmt = useFormat();
  const [url, setUrl] = useUrlState(["provider", "status", "event"] as const);
  const provider = url.provider ?? ALL;
  const status = url.status ?? ALL;
  const setProvider = (v: string) => setUrl({ provider: v === ALL ? null : v }, { push: true });
  const setStatus = (v: string) => setUrl({ status: v === ALL ? null : v }, { push: true });
  const query = useWebhookEvents({ provider: url.provider ?? undefined, status: url.status ?? undefined });
  const rows = query.data?.pages.flatMap((p) => p.data) ?? [];
  const filtered = provider !== ALL || status !== ALL;
  const rejections = useWebhookRejections();

  return (
    <div className="grid gap-4">
      {rejections.data && rejections.data.length > 0 ? (
        <div role="status" className="rounded-md border border-warning/40 bg-warning/10 p-3 text-sm" data-testid="webhook-rejections">
          <p className="font-medium">Replayed signatures refused in the last 7 days</p>
          <ul className="mt-1 grid gap-0.5">
            {rejections.data.map((r) => (
              <li key={`${r.config_id}:${r.reason}`} className="break-words">
                {providerLabels[r.provider as keyof typeof providerLabels] ?? r.provider} config <span className="font-mono text-xs">{r.config_id.slice(0, 8)}</span>: {r.count}{" "}
                {r.count === 1 ? "request" : "requests"} reusing an accepted signature on different event data, last {fmt.dateTime(r.last_at)}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <div className="flex flex-wrap gap-2">
        <Select value={provider} onValueChange={setProvider}>
          <SelectTrigger className="w-44" aria-label="Provider">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            <SelectItem value={ALL}>All providers</SelectItem>
            {webhookProviderKinds.map((p) => (
              <SelectItem key={p} value={p}>
                {providerLabels[p]}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
        <Select value={status} onValueChange={setStatus}>
          <SelectTrigger className="w-44" aria-label="Processing status">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            <SelectItem value={ALL}>Any status</SelectItem>
            {webhookEventFilterStatuses.map((s) => (
              <SelectItem key={s} value={s}>
                {s === "duplicate" ? "Replayed (duplicates)" : s}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
      </div>
      {query.isPending ? (
        <Skeleton className="h-40 w-full" />
      ) : query.isError ? (
        <p role="alert" className="text-sm text-destructive">
          {errorMessage(query.error)}
        </p>
      ) : rows.length === 0 ? (
        <EmptyState
          icon={Inbox}
          title={filtered ? "No events match these filters" : "No webhook events yet"}
          description={filtered ? "Try another provider or status." : "Signed delivery and engagement events from your providers will be listed here with their verification result."}
        />
      ) : (
        <>
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Received ({fmt.zone()})</TableHead>
                <TableHead>Provider</TableHead>
                <TableHead>Event</TableHead>
                <TableHead>Verification</TableHead>
                <TableHead>Message</TableHead>
                <TableHead>Processing</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {rows.map((e) => (
                <TableRowOpen
                  key={e.id}
                  rowId={e.id}
                  onOpen={() => setUrl({ event: e.id }, { push: true })}
                  aria-label={`${providerLabels[e.provider]} ${e.event_type} event, ${e.status}`}
                  data-testid="webhook-event-row"
                >
                  <TableCell className="whitespace-nowrap">{fmt.dateTime(e.received_at)}</TableCell>
                  <TableCell>{providerLabels[e.provider]}</TableCell>
                  <TableCell>
                    <div className="font-medium">{e.event_type}</div>
                    <div className="text-xs text-muted-foreground">
                      {e.provider_event}
                      {e.recipient ? ` · ${e.recipient}` : ""}
                    </div>
                  </TableCell>
                  <TableCell>
                    <Badge variant="success">verified</Badge>
                    <div className="text-xs text-muted-foreground">{verificationLabel[e.verification] ?? e.verification}</div>
                  </TableCell>
                  <TableCell className="font-mono text-xs">
                    {e.message_id ? <Link href={`/messages?id=${e.message_id}`} onClick={(ev) => ev.stopPropagation()} className="underline underline-offset-4" aria-label={`Open message ${e.message_id}`}>
                        {e.message_id.slice(0, 8)}…
                      </Link> : <span className="text-muted-foreground">{e.provider_message_id ?? "—"}</span>}
                  </TableCell>
                  <TableCell>
                    <div className="flex flex-wrap gap-1">
                      <Badge variant={statusVariant[e.status as keyof typeof statusVariant] ?? "secondary"}>{e.status}</Badge>
                      {e.duplicate_count > 0 ? (
                        <Badge variant="secondary" title={e.last_duplicate_at ? `last ${fmt.dateTime(e.last_duplicate_at)}` : undefined}>
                          duplicate ×{e.duplicate_count}
                        </Badge>
                      ) : null}
                    </div>
                    {e.outcome ? <div className="max-w-72 truncate text-xs text-muted-foreground" title={e.outcome}>{e.outcome}</div> : null}
                  </TableCell>
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
        Only requests whose signature or callback token checked out are recorded here; refused requests are listed under Rejected. Open an event to see its payload. A provider retry of an event
        already received is acknowledged and counted as a duplicate without changing anything. A Mailgun signature is accepted once: reused on
        different event data it is refused (401) and counted per config as a replayed signature (shown above, and at
        /api/v1/webhook-events/rejections).
      </p>
      <WebhookEventDrawer id={url.event} onClose={() => setUrl({ event: null }, { push: true })} />
    </div>
  );
}
