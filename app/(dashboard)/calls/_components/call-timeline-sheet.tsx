"use client";

import { PhoneForwarded, PhoneOff, RotateCw } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from "@/components/ui/sheet";
import { useConfirm } from "@/components/ui/confirm-dialog";
import { useReturnFocus } from "@/components/ui/return-focus";
import { Skeleton } from "@/components/ui/skeleton";
import { SubmitButton } from "@/components/ui/submit-button";
import { toast } from "@/components/ui/toaster";
import { errorMessage } from "@/lib/hooks/api-client";
import { useCall, useCallCommand, useRetryPublishes, type CallDetail } from "@/lib/hooks/use-calls";
import { E164_PATTERN } from "@/lib/validations/common";
import { PublishStatusBadge } from "./publish-status-badge";
import { useFormat } from "@/components/format-provider";

const eventLabels: Record<string, string> = {
  call_started: "Call started",
  call_ringing: "Ringing",
  call_answered: "Answered",
  call_forwarded: "Forwarded",
  call_ended: "Ended",
  call_missed: "Missed",
  call_failed: "Failed",
};

type TimelineItem =
  | { kind: "event"; at: string; e: CallDetail["events"][number] }
  | { kind: "command"; at: string; c: CallDetail["commands"][number] };

function timeline(call: CallDetail): TimelineItem[] {
  const items: TimelineItem[] = [
    ...call.events.map((e) => ({ kind: "event" as const, at: e.timestamp, e })),
    ...call.commands.map((c) => ({ kind: "command" as const, at: c.created_at, c })),
  ];
  return items.sort((a, b) => a.at.localeCompare(b.at));
}

function Operator({ call }: { call: CallDetail }) {
  const command = useCallCommand();
  const confirm = useConfirm();
  const [to, setTo] = useState("");
  const [submitted, setSubmitted] = useState(false);
  const valid = E164_PATTERN.test(to.trim());
  const showError = submitted && !valid;
  function send(input: Parameters<typeof command.mutate>[0], done: string) {
    command.mutate(input, {
      onSuccess: () => {
        toast.success(done);
        setTo("");
        setSubmitted(false);
      },
      onError: (err) => toast.error(errorMessage(err)),
    });
  }
  return (
    <div className="grid gap-3 rounded-md border p-3">
      <div className="text-sm font-medium">Operator actions</div>
      <form
        className="flex flex-wrap items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          setSubmitted(true);
          if (valid) send({ command: "forward", call_id: call.call_id, to_number: to.trim() }, "Forward sent to the telephony server");
        }}
      >
        <div className="grid flex-1 gap-1.5">
          <Label htmlFor="forward-to">Forward to</Label>
          <Input id="forward-to" placeholder="e.g. +994501234567" value={to} onChange={(e) => setTo(e.target.value)} aria-invalid={showError} aria-describedby="forward-to-hint" />
          <p id="forward-to-hint" className={showError ? "text-xs text-destructive" : "text-xs text-muted-foreground"}>
            {showError ? (to.trim() === "" ? "Enter the number to forward to" : "Enter the number in international format, e.g. +994501234567") : "International format, starting with +"}
          </p>
        </div>
        <SubmitButton variant="outline" pending={command.isPending}>
          <PhoneForwarded aria-hidden /> Forward
        </SubmitButton>
      </form>
      <Button
        variant="destructive"
        disabled={command.isPending}
        onClick={async () => {
          const ok = await confirm({
            title: `Hang up the call from ${call.from_number}?`,
            description: "The telephony server ends the call for both sides at once. This cannot be undone.",
            confirmLabel: "Hang up",
          });
          if (ok) send({ command: "hangup", call_id: call.call_id }, "Hang-up sent to the telephony server");
        }}
      >
        <PhoneOff aria-hidden /> Hang up
      </Button>
    </div>
  );
}

/** The drawer with one call: summary, event timeline with publish states, operator actions. */
export function CallTimelineSheet({ callId, onClose, canWrite }: { callId: string | null; onClose: () => void; canWrite: boolean }) {
  const fmt = useFormat();
  const call = useCall(callId);
  const retry = useRetryPublishes();
  const data = call.data;

  function retryOne(body: { event_ids?: string[]; command_ids?: string[] }) {
    retry.mutate(body, {
      onSuccess: () => toast.success("Queued for another publish attempt"),
      onError: (err) => toast.error(errorMessage(err)),
    });
  }

  const returnFocus = useReturnFocus(callId);
  return (
    <Sheet open={callId !== null} onOpenChange={(open) => !open && onClose()}>
      <SheetContent className="w-full overflow-y-auto sm:max-w-lg" onCloseAutoFocus={returnFocus}>
        <SheetHeader>
          <SheetTitle>Call {data ? <code className="font-mono text-sm">{data.call_id}</code> : null}</SheetTitle>
          <SheetDescription>
            {data ? (
              <>
                {data.from_number} → {data.to_number}
                {data.school ? ` · ${data.school.name}` : ""}
              </>
            ) : (
              "Loading…"
            )}
          </SheetDescription>
        </SheetHeader>
        <div className="grid gap-4 px-4 pb-6">
          {call.isPending ? (
            <Skeleton className="h-64 w-full" />
          ) : call.isError ? (
            <p className="text-sm text-destructive">{errorMessage(call.error)}</p>
          ) : data ? (
            <>
              <dl className="grid grid-cols-2 gap-2 text-sm">
                <dt className="text-muted-foreground">Status</dt>
                <dd>{data.status === "active" ? "In progress" : "Ended"}</dd>
                <dt className="text-muted-foreground">Outcome</dt>
                <dd className="capitalize">{data.outcome ?? "—"}</dd>
                <dt className="text-muted-foreground">Duration</dt>
                <dd>{data.duration_seconds !== null ? `${data.duration_seconds}s` : "—"}</dd>
                <dt className="text-muted-foreground">Forwarded to</dt>
                <dd>{data.forwarded_to ?? "—"}</dd>
              </dl>
              {canWrite && data.status === "active" ? <Operator call={data} /> : null}
              <ol className="grid gap-3 border-l pl-4">
                {timeline(data).map((item) =>
                  item.kind === "event" ? (
                    <li key={item.e.id} className="grid gap-1">
                      <div className="flex flex-wrap items-center gap-2">
                        <span className="font-medium">{eventLabels[item.e.event_type] ?? item.e.event_type}</span>
                        <PublishStatusBadge status={item.e.publish_status} />
                        {item.e.duration !== null ? <span className="text-sm text-muted-foreground">{item.e.duration}s</span> : null}
                      </div>
                      <div className="text-xs text-muted-foreground">
                        {fmt.dateTime(item.e.timestamp)} · received {fmt.dateTime(item.e.created_time)}
                        {item.e.publish_attempts > 0 ? ` · ${item.e.publish_attempts} publish attempt(s)` : ""}
                      </div>
                      {item.e.last_publish_error && item.e.publish_status !== "published" ? (
                        <div className="text-xs text-destructive">{item.e.last_publish_error}</div>
                      ) : null}
                      {canWrite && item.e.publish_status === "dead_lettered" ? (
                        <Button size="sm" variant="outline" className="w-fit" disabled={retry.isPending} onClick={() => retryOne({ event_ids: [item.e.id] })}>
                          <RotateCw aria-hidden /> Retry publish
                        </Button>
                      ) : null}
                    </li>
                  ) : (
                    <li key={item.c.id} className="grid gap-1">
                      <div className="flex flex-wrap items-center gap-2">
                        <span className="font-medium">
                          {item.c.command === "forward" ? `Operator forwarded to ${item.c.to_number}` : "Operator hung up"}
                        </span>
                        <PublishStatusBadge status={item.c.publish_status} />
                      </div>
                      <div className="text-xs text-muted-foreground">
                        {fmt.dateTime(item.c.created_at)} · by {item.c.requested_by}
                      </div>
                      {canWrite && item.c.publish_status === "dead_lettered" ? (
                        <Button size="sm" variant="outline" className="w-fit" disabled={retry.isPending} onClick={() => retryOne({ command_ids: [item.c.id] })}>
                          <RotateCw aria-hidden /> Retry publish
                        </Button>
                      ) : null}
                    </li>
                  ),
                )}
              </ol>
            </>
          ) : null}
        </div>
      </SheetContent>
    </Sheet>
  );
}
