"use client";

import Link from "next/link";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { Inbox } from "lucide-react";
import { formatDateTime } from "@/lib/format";
import { errorMessage } from "@/lib/hooks/api-client";
import { useWebhookEvents } from "@/lib/hooks/use-webhook-events";
import { providerLabels } from "@/lib/validations/provider-configs";
import { webhookEventFilterStatuses } from "@/lib/validations/webhook-events";

const statusVariant = { processed: "success", pending: "info", unmatched: "warning", failed: "destructive" } as const;
const verificationLabel: Record<string, string> = {
  ecdsa_p256: "ECDSA P-256 signature",
  hmac_sha256: "HMAC-SHA256 signature",
  hmac_sha1: "HMAC-SHA1 signature",
  callback_token: "Callback token",
};
const ALL = "all";
const webhookProviders = ["sendgrid", "mailgun", "twilio", "whatsapp", "elks", "infobip"] as const;

export function WebhookEventsView() {
  const [provider, setProvider] = useState<string>(ALL);
  const [status, setStatus] = useState<string>(ALL);
  const query = useWebhookEvents({ provider: provider === ALL ? undefined : provider, status: status === ALL ? undefined : status });
  const rows = query.data?.pages.flatMap((p) => p.data) ?? [];
  const filtered = provider !== ALL || status !== ALL;

  return (
    <div className="grid gap-4">
      <div className="flex flex-wrap gap-2">
        <Select value={provider} onValueChange={setProvider}>
          <SelectTrigger className="w-44" aria-label="Provider">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            <SelectItem value={ALL}>All providers</SelectItem>
            {webhookProviders.map((p) => (
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
                <TableHead>Received</TableHead>
                <TableHead>Provider</TableHead>
                <TableHead>Event</TableHead>
                <TableHead>Verification</TableHead>
                <TableHead>Message</TableHead>
                <TableHead>Processing</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {rows.map((e) => (
                <TableRow key={e.id} data-testid="webhook-event-row">
                  <TableCell className="whitespace-nowrap">{formatDateTime(e.received_at)}</TableCell>
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
                    {e.message_id ? <Link href={`/messages?id=${e.message_id}`}>{e.message_id.slice(0, 8)}…</Link> : <span className="text-muted-foreground">{e.provider_message_id ?? "—"}</span>}
                  </TableCell>
                  <TableCell>
                    <div className="flex flex-wrap gap-1">
                      <Badge variant={statusVariant[e.status as keyof typeof statusVariant] ?? "secondary"}>{e.status}</Badge>
                      {e.duplicate_count > 0 ? (
                        <Badge variant="secondary" title={e.last_duplicate_at ? `last ${formatDateTime(e.last_duplicate_at)}` : undefined}>
                          duplicate ×{e.duplicate_count}
                        </Badge>
                      ) : null}
                    </div>
                    {e.outcome ? <div className="max-w-72 truncate text-xs text-muted-foreground" title={e.outcome}>{e.outcome}</div> : null}
                  </TableCell>
                </TableRow>
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
        Only requests whose signature or callback token checked out are recorded; rejected requests get 401 and leave nothing here. A provider retry of an event
        already received is acknowledged and counted as a duplicate without changing anything.
      </p>
    </div>
  );
}
