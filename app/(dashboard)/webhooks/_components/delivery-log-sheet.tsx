"use client";

import { Fragment, useState } from "react";
import { Send } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from "@/components/ui/sheet";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { toast } from "@/components/ui/toaster";
import { errorMessage } from "@/lib/hooks/api-client";
import { useResendWebhookDelivery, useWebhookDeliveries, type WebhookDeliveryItem, type WebhookEndpointItem } from "@/lib/hooks/use-outbound-webhooks";
import { useFormat } from "@/components/format-provider";

const statusVariant = { succeeded: "success", pending: "info", delivering: "info", failed: "warning", exhausted: "destructive" } as const;

function codeVariant(code: number | null) {
  if (code === null) return "destructive" as const;
  return code >= 200 && code < 300 ? ("success" as const) : ("warning" as const);
}

export function DeliveryLogSheet({
  endpoint,
  canManage,
  onOpenChange,
}: {
  endpoint: WebhookEndpointItem | null;
  canManage: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const fmt = useFormat();
  const deliveries = useWebhookDeliveries(endpoint?.id ?? null);
  const resend = useResendWebhookDelivery();
  const [expanded, setExpanded] = useState<string | null>(null);

  function doResend(d: WebhookDeliveryItem) {
    resend.mutate(d.id, {
      onSuccess: () => {
        toast.success(`Resending ${d.event_type}`);
        void deliveries.refetch();
      },
      onError: (e) => toast.error(errorMessage(e)),
    });
  }

  return (
    <Sheet open={endpoint !== null} onOpenChange={onOpenChange}>
      <SheetContent className="w-full overflow-y-auto sm:max-w-3xl">
        <SheetHeader>
          <SheetTitle>Delivery log</SheetTitle>
          <SheetDescription className="break-all">{endpoint?.url}</SheetDescription>
        </SheetHeader>
        <div className="px-4 pb-4">
          {deliveries.isPending ? (
            <Skeleton className="h-40 w-full" />
          ) : deliveries.isError ? (
            <p className="text-sm text-destructive">{errorMessage(deliveries.error)}</p>
          ) : deliveries.data.length === 0 ? (
            <EmptyState icon={Send} title="No deliveries yet" description="Deliveries appear here as soon as a subscribed event happens." />
          ) : (
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>Event</TableHead>
                  <TableHead>Status</TableHead>
                  <TableHead>Response</TableHead>
                  <TableHead>Attempts</TableHead>
                  <TableHead>Created</TableHead>
                  <TableHead className="sr-only">Actions</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {deliveries.data.map((d) => (
                  <Fragment key={d.id}>
                    <TableRow className="cursor-pointer" onClick={() => setExpanded(expanded === d.id ? null : d.id)} data-testid={`webhook-delivery-${d.id}`}>
                      <TableCell>
                        <div className="font-mono text-xs">{d.event_type}</div>
                        <div className="font-mono text-xs text-muted-foreground">{d.event_id}</div>
                      </TableCell>
                      <TableCell>
                        <Badge variant={statusVariant[d.status]}>{d.status}</Badge>
                        {d.next_attempt_at ? <div className="text-xs text-muted-foreground">next {fmt.dateTime(d.next_attempt_at)}</div> : null}
                      </TableCell>
                      <TableCell>
                        {d.attempt_count === 0 ? (
                          <span className="text-muted-foreground">—</span>
                        ) : (
                          <Badge variant={codeVariant(d.last_response_code)}>{d.last_response_code ?? "no response"}</Badge>
                        )}
                        {d.last_latency_ms !== null ? <div className="text-xs text-muted-foreground">{d.last_latency_ms} ms</div> : null}
                      </TableCell>
                      <TableCell>{d.attempt_count}</TableCell>
                      <TableCell>{fmt.dateTime(d.created_at)}</TableCell>
                      <TableCell className="text-right">
                        {canManage ? (
                          <Button
                            variant="outline"
                            size="sm"
                            disabled={resend.isPending || d.status === "delivering"}
                            onClick={(e) => {
                              e.stopPropagation();
                              doResend(d);
                            }}
                          >
                            Resend
                          </Button>
                        ) : null}
                      </TableCell>
                    </TableRow>
                    {expanded === d.id ? (
                      <TableRow>
                        <TableCell colSpan={6} className="bg-muted/30">
                          <div className="grid gap-3 py-2">
                            {d.last_error ? <p className="text-sm text-destructive">{d.last_error}</p> : null}
                            <div>
                              <p className="mb-1 text-xs font-medium text-muted-foreground">Attempts</p>
                              {d.attempts.length === 0 ? (
                                <p className="text-sm text-muted-foreground">Not attempted yet.</p>
                              ) : (
                                <ul className="grid gap-1 text-sm">
                                  {d.attempts.map((a) => (
                                    <li key={a.attempt} className="flex flex-wrap items-center gap-2">
                                      <span className="text-muted-foreground">#{a.attempt}</span>
                                      <span>{fmt.dateTime(a.started_at)}</span>
                                      <Badge variant={codeVariant(a.response_code)}>{a.response_code ?? "no response"}</Badge>
                                      {a.latency_ms !== null ? <span className="text-muted-foreground">{a.latency_ms} ms</span> : null}
                                      {a.error ? <span className="text-destructive">{a.error}</span> : null}
                                      {a.response_body ? <code className="max-w-md truncate font-mono text-xs">{a.response_body}</code> : null}
                                    </li>
                                  ))}
                                </ul>
                              )}
                            </div>
                            <div>
                              <p className="mb-1 text-xs font-medium text-muted-foreground">Payload</p>
                              <pre className="max-h-64 overflow-auto rounded-md border bg-background p-2 font-mono text-xs">{JSON.stringify(d.payload, null, 2)}</pre>
                            </div>
                          </div>
                        </TableCell>
                      </TableRow>
                    ) : null}
                  </Fragment>
                ))}
              </TableBody>
            </Table>
          )}
        </div>
      </SheetContent>
    </Sheet>
  );
}
