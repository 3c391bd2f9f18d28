"use client";

import Link from "next/link";
import { useFormat } from "@/components/format-provider";
import { Badge } from "@/components/ui/badge";
import { useReturnFocus } from "@/components/ui/return-focus";
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from "@/components/ui/sheet";
import { Skeleton } from "@/components/ui/skeleton";
import { errorMessage } from "@/lib/hooks/api-client";
import { useWebhookEvent } from "@/lib/hooks/use-webhook-events";
import { providerLabels } from "@/lib/providers/definitions";

/** A received provider event: what Herald made of it and the provider's payload as received. */
export function WebhookEventDrawer({ id, onClose }: { id: string | null; onClose: () => void }) {
  const fmt = useFormat();
  const one = useWebhookEvent(id);
  const returnFocus = useReturnFocus(id);
  const e = one.data;
  return (
    <Sheet open={id !== null} onOpenChange={(open) => (open ? null : onClose())}>
      <SheetContent className="w-full overflow-y-auto sm:max-w-2xl" onCloseAutoFocus={returnFocus}>
        <SheetHeader>
          <SheetTitle>Webhook event</SheetTitle>
          <SheetDescription className="font-mono text-xs break-all">{id}</SheetDescription>
        </SheetHeader>
        <div className="grid gap-4 px-4 pb-4 text-sm">
          {one.isPending ? (
            <Skeleton className="h-40 w-full" />
          ) : one.isError || !e ? (
            <p role="alert" className="text-destructive">
              {one.error ? errorMessage(one.error) : "Not found"}
            </p>
          ) : (
            <>
              <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1">
                <dt className="text-muted-foreground">Received</dt>
                <dd>{fmt.dateTime(e.received_at)}</dd>
                <dt className="text-muted-foreground">Happened</dt>
                <dd>{fmt.dateTime(e.occurred_at)}</dd>
                <dt className="text-muted-foreground">Event</dt>
                <dd className="break-words">
                  {providerLabels[e.provider]} · {e.event_type} <span className="text-muted-foreground">({e.provider_event})</span>
                </dd>
                <dt className="text-muted-foreground">Processing</dt>
                <dd className="break-words">
                  <Badge variant="secondary">{e.status}</Badge> {e.outcome}
                </dd>
                <dt className="text-muted-foreground">Message</dt>
                <dd className="font-mono text-xs break-all">
                  {e.message_id ? (
                    <Link href={`/messages?id=${e.message_id}`} className="underline underline-offset-4">
                      {e.message_id}
                    </Link>
                  ) : (
                    (e.provider_message_id ?? "—")
                  )}
                </dd>
                <dt className="text-muted-foreground">Event key</dt>
                <dd className="font-mono text-xs break-all">{e.event_key}</dd>
              </dl>
              <section aria-labelledby="webhook-event-payload" className="grid gap-1">
                <h3 id="webhook-event-payload" className="font-medium">
                  Payload
                </h3>
                <pre className="max-h-[28rem] overflow-auto rounded-md bg-muted p-2 text-xs whitespace-pre-wrap break-all">{JSON.stringify(e.payload, null, 2)}</pre>
              </section>
            </>
          )}
        </div>
      </SheetContent>
    </Sheet>
  );
}
