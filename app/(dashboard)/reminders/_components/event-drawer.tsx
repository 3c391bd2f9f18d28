"use client";

import { useState } from "react";
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
  AlertDialogTrigger,
} from "@/components/ui/alert-dialog";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from "@/components/ui/sheet";
import { Skeleton } from "@/components/ui/skeleton";
import { toast } from "@/components/ui/toaster";
import { errorMessage } from "@/lib/hooks/api-client";
import { useCancelEvent, useCancelReminder, useCancelRun, useEvent, useEventPreview, useRuns, useUpdateEvent } from "@/lib/hooks/use-reminders";
import type { EventDetailOut, ReminderOut } from "@/lib/validations/reminders";
import { zonedIso } from "./event-form-dialog";
import { channelLabels } from "./rule-fields";
import { RunProgress } from "./run-progress";
import { DualTime, relative } from "./when";

function Confirm({ trigger, title, description, action, onConfirm }: { trigger: React.ReactNode; title: string; description: string; action: string; onConfirm: () => void }) {
  return (
    <AlertDialog>
      <AlertDialogTrigger asChild>{trigger}</AlertDialogTrigger>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>{title}</AlertDialogTitle>
          <AlertDialogDescription>{description}</AlertDialogDescription>
        </AlertDialogHeader>
        <AlertDialogFooter>
          <AlertDialogCancel>Keep it</AlertDialogCancel>
          <AlertDialogAction variant="destructive" onClick={onConfirm}>
            {action}
          </AlertDialogAction>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}

function Preview({ eventId, rule }: { eventId: string; rule: ReminderOut }) {
  const [open, setOpen] = useState(false);
  const preview = useEventPreview(open ? eventId : null, open ? rule.id : null);
  return (
    <div className="grid gap-1">
      <Button variant="ghost" size="sm" className="justify-self-start" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        {open ? "Hide preview" : "Preview"}
      </Button>
      {open ? (
        preview.isPending ? (
          <Skeleton className="h-12 w-full" />
        ) : preview.isError ? (
          <p className="text-sm text-destructive">{errorMessage(preview.error)}</p>
        ) : (
          <div className="grid gap-2 text-sm" data-testid="reminder-preview">
            <p className="text-xs text-muted-foreground">{preview.data!.contact_id ? "For the first contact of the audience" : "No contact in the audience yet: contact variables show as missing"}</p>
            {preview.data!.channels.map((c) => (
              <div key={c.channel} className="rounded-md border p-2">
                <p className="text-xs font-medium">{channelLabels[c.channel]}</p>
                {c.error ? (
                  <p className="text-destructive">{c.error.message}</p>
                ) : (
                  <pre className="whitespace-pre-wrap break-words font-sans text-sm">{renderedText(c.rendered!)}</pre>
                )}
              </div>
            ))}
          </div>
        )
      ) : null}
    </div>
  );
}

function renderedText(r: Record<string, unknown>): string {
  const part = (r.email ?? r.sms ?? r.push ?? r.whatsapp ?? {}) as Record<string, unknown>;
  return ["subject", "title", "body", "text", "body_text", "template_name"]
    .map((k) => (typeof part[k] === "string" ? (part[k] as string) : null))
    .filter(Boolean)
    .join("\n");
}

function Reschedule({ event }: { event: EventDetailOut }) {
  const update = useUpdateEvent(event.id);
  const [local, setLocal] = useState("");
  const iso = local ? zonedIso(local, event.timezone) : null;
  return (
    <div className="flex flex-wrap items-end gap-2">
      <div className="grid gap-1">
        <Label htmlFor="reschedule-at">New start ({event.timezone})</Label>
        <Input id="reschedule-at" type="datetime-local" value={local} onChange={(e) => setLocal(e.target.value)} />
      </div>
      <Confirm
        trigger={
          <Button variant="outline" disabled={!iso || update.isPending}>
            Reschedule
          </Button>
        }
        title={`Move ${event.title}?`}
        description="Every reminder not sent yet is planned again for the new start; reminders already sent stay as they are."
        action="Move the event"
        onConfirm={() => update.mutate({ starts_at: iso }, { onSuccess: () => toast.success("Rescheduled"), onError: (e) => toast.error(errorMessage(e)) })}
      />
    </div>
  );
}

/** One event: when, its next firing, its reminders (with a preview), its runs, and the risky actions. */
export function EventDrawer({ id, canWrite, onClose }: { id: string | null; canWrite: boolean; onClose: () => void }) {
  const event = useEvent(id);
  const runs = useRuns({ event_id: id });
  const cancel = useCancelEvent();
  const cancelRule = useCancelReminder(id ?? "");
  const cancelRun = useCancelRun();
  const e = event.data;
  return (
    <Sheet open={id !== null} onOpenChange={(o) => !o && onClose()}>
      <SheetContent className="w-full overflow-y-auto sm:max-w-xl">
        <SheetHeader>
          <SheetTitle>{e?.title ?? "Event"}</SheetTitle>
          <SheetDescription>{e ? `${e.location ?? "No location"} · ${e.audience_count.toLocaleString("en")} contacts in the audience` : "Loading…"}</SheetDescription>
        </SheetHeader>
        {!e ? (
          event.isError ? (
            <p className="px-4 text-sm text-destructive">{errorMessage(event.error)}</p>
          ) : (
            <Skeleton className="mx-4 h-40" />
          )
        ) : (
          <div className="grid gap-5 px-4 pb-6">
            <section className="grid gap-1 text-sm">
              <span className="flex items-center gap-2">
                Starts <Badge variant={e.status === "cancelled" ? "destructive" : e.status === "moved" ? "warning" : "outline"}>{e.status}</Badge>
              </span>
              <DualTime iso={e.starts_at} eventZone={e.timezone} />
              <span className="mt-2 font-medium">Next firing</span>
              {e.next_firing ? (
                <span data-testid="next-firing">
                  {e.next_firing.rule_name}, {relative(e.next_firing.at)}: <DualTime iso={e.next_firing.at} eventZone={e.timezone} />
                </span>
              ) : (
                <span className="text-muted-foreground" data-testid="next-firing">
                  Nothing left to send
                </span>
              )}
            </section>
            <section className="grid gap-2">
              <h3 className="text-sm font-semibold">Reminders</h3>
              {e.reminders.length === 0 ? <p className="text-sm text-muted-foreground">No reminders on this event.</p> : null}
              {e.reminders.map((r) => (
                <div key={r.id} className="grid gap-1 rounded-md border p-3 text-sm">
                  <div className="flex flex-wrap items-center gap-2">
                    <span className="font-medium">{r.name}</span>
                    {r.status === "cancelled" ? <Badge variant="secondary">cancelled</Badge> : null}
                    <span className="text-muted-foreground">{r.channels.map((c) => channelLabels[c.channel]).join(r.channel_policy === "first_available" ? " → " : " + ")}</span>
                  </div>
                  {r.next_firing_at ? (
                    <span className="text-muted-foreground">
                      Next: <DualTime iso={r.next_firing_at} eventZone={e.timezone} />
                    </span>
                  ) : null}
                  <div className="flex flex-wrap gap-2">
                    <Preview eventId={e.id} rule={r} />
                    {canWrite && r.status === "active" && r.purpose === "reminder" && e.status !== "cancelled" ? (
                      <Confirm
                        trigger={
                          <Button variant="ghost" size="sm">
                            Cancel reminder
                          </Button>
                        }
                        title={`Cancel “${r.name}”?`}
                        description="Sends of this reminder that have not gone out are withdrawn."
                        action="Cancel reminder"
                        onConfirm={() => cancelRule.mutate(r.id, { onError: (err) => toast.error(errorMessage(err)) })}
                      />
                    ) : null}
                  </div>
                </div>
              ))}
            </section>
            <section className="grid gap-3">
              <h3 className="text-sm font-semibold">Runs</h3>
              {(runs.data?.data ?? []).length === 0 ? <p className="text-sm text-muted-foreground">Nothing planned.</p> : null}
              {(runs.data?.data ?? []).map((run) => (
                <div key={run.id} className="grid gap-1 rounded-md border p-3">
                  <span className="text-sm">
                    {run.rule_name} · <DualTime iso={run.scheduled_at} eventZone={e.timezone} />
                  </span>
                  <RunProgress run={run} />
                  {canWrite && (run.status === "scheduled" || run.status === "running") ? (
                    <Confirm
                      trigger={
                        <Button variant="ghost" size="sm" className="justify-self-start">
                          Cancel run
                        </Button>
                      }
                      title="Cancel this run?"
                      description="Sends it has not made yet are withdrawn; messages already queued still go out."
                      action="Cancel run"
                      onConfirm={() => cancelRun.mutate(run.id, { onError: (err) => toast.error(errorMessage(err)) })}
                    />
                  ) : null}
                </div>
              ))}
            </section>
            {canWrite && e.status !== "cancelled" ? (
              <section className="grid gap-3 border-t pt-4">
                <Reschedule event={e} />
                <Confirm
                  trigger={
                    <Button variant="destructive" className="justify-self-start">
                      Cancel event
                    </Button>
                  }
                  title={`Cancel ${e.title}?`}
                  description={
                    e.cancellation_notice
                      ? "Pending reminders are withdrawn and the audience gets the cancellation notice now. This cannot be undone."
                      : "Pending reminders are withdrawn. This cannot be undone."
                  }
                  action="Cancel event"
                  onConfirm={() => cancel.mutate(e.id, { onSuccess: () => toast.success("Event cancelled"), onError: (err) => toast.error(errorMessage(err)) })}
                />
              </section>
            ) : null}
          </div>
        )}
      </SheetContent>
    </Sheet>
  );
}
