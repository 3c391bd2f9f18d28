"use client";

import { BellOff, BellRing, Trash2 } from "lucide-react";
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
import { Separator } from "@/components/ui/separator";
import { Sheet, SheetContent, SheetDescription, SheetFooter, SheetHeader, SheetTitle } from "@/components/ui/sheet";
import { useReturnFocus } from "@/components/ui/return-focus";
import { Skeleton } from "@/components/ui/skeleton";
import { toast } from "@/components/ui/toaster";
import { errorMessage } from "@/lib/hooks/api-client";
import { useContact, useContactMessages, useEraseContact, useUpdateContact } from "@/lib/hooks/use-contacts";
import type { ContactDetailOut } from "@/lib/validations/contacts";
import { MessageStatusBadge } from "../../messages/_components/status-badge";
import { useFormat } from "@/components/format-provider";

const channels = ["email", "sms", "push", "whatsapp"] as const;

export function ContactDrawer({ id, onClose, canWrite }: { id: string | null; onClose: () => void; canWrite: boolean }) {
  const returnFocus = useReturnFocus(id);
  const contact = useContact(id);
  const c = contact.data;
  return (
    <Sheet open={id !== null} onOpenChange={(o) => !o && onClose()}>
      <SheetContent className="w-full overflow-y-auto sm:max-w-lg" onCloseAutoFocus={returnFocus}>
        {contact.isPending ? (
          <div className="grid gap-3 p-4">
            <Skeleton className="h-6 w-2/3" />
            <Skeleton className="h-32 w-full" />
          </div>
        ) : contact.isError ? (
          <SheetHeader>
            <SheetTitle>Contact unavailable</SheetTitle>
            <SheetDescription>{errorMessage(contact.error)}</SheetDescription>
          </SheetHeader>
        ) : c ? (
          <ContactDetail c={c} canWrite={canWrite} onErased={onClose} />
        ) : null}
      </SheetContent>
    </Sheet>
  );
}

function ContactDetail({ c, canWrite, onErased }: { c: ContactDetailOut; canWrite: boolean; onErased: () => void }) {
  const fmt = useFormat();
  const update = useUpdateContact(c.id);
  const erase = useEraseContact();
  const messages = useContactMessages(c.id);
  const title = c.name ?? c.email ?? c.phone ?? c.external_id ?? "Unnamed contact";
  const channelState = (ch: (typeof channels)[number]) => c.subscriptions.find((s) => s.channel === ch && s.topic === null);
  const setChannel = (ch: (typeof channels)[number], status: "subscribed" | "unsubscribed") =>
    update.mutate({ subscriptions: [{ channel: ch, status }] }, { onSuccess: () => toast.success(`${ch}: ${status}`), onError: (e) => toast.error(errorMessage(e)) });

  return (
    <>
      <SheetHeader>
        <SheetTitle className="break-words">{title}</SheetTitle>
        <SheetDescription className="flex flex-wrap items-center gap-2">
          {c.external_id ? <Badge variant="outline" className="max-w-full truncate font-mono">{c.external_id}</Badge> : null}
          <span className="text-xs">Added {fmt.dateTime(c.created_at)}</span>
        </SheetDescription>
      </SheetHeader>
      <div className="grid gap-4 px-4 text-sm">
        <dl className="grid grid-cols-[7rem_1fr] gap-x-3 gap-y-1.5">
          <Field label="Email">{c.email}</Field>
          <Field label="Phone">
            {c.phone}
            {c.phone_raw && c.phone_raw !== c.phone ? <span className="block text-xs text-muted-foreground">given as {c.phone_raw}</span> : null}
          </Field>
          <Field label="WhatsApp">{c.whatsapp}</Field>
          <Field label="Locale">{c.locale}</Field>
          <Field label="Time zone">{c.timezone}</Field>
        </dl>
        {Object.keys(c.attributes).length > 0 ? (
          <section className="grid gap-1">
            <h3 className="text-xs font-medium text-muted-foreground">Attributes</h3>
            <pre className="max-h-40 overflow-auto rounded-md bg-muted p-2 font-mono text-xs whitespace-pre-wrap break-all">{JSON.stringify(c.attributes, null, 2)}</pre>
          </section>
        ) : null}
        <Separator />
        <section className="grid gap-2" aria-label="Subscriptions">
          <h3 className="text-xs font-medium text-muted-foreground">Subscriptions</h3>
          <ul className="grid gap-1.5">
            {channels.map((ch) => {
              const s = channelState(ch);
              const unsubscribed = s?.status === "unsubscribed";
              return (
                <li key={ch} className="flex flex-wrap items-center justify-between gap-2">
                  <span className="flex items-center gap-2">
                    <span className="w-20 capitalize">{ch}</span>
                    <Badge variant={unsubscribed ? "destructive" : "success"}>{unsubscribed ? "unsubscribed" : "subscribed"}</Badge>
                    {s ? <span className="text-xs text-muted-foreground">{s.source} · {fmt.dateTime(s.changed_at)}</span> : null}
                  </span>
                  {canWrite ? (
                    <Button size="sm" variant="ghost" disabled={update.isPending} onClick={() => setChannel(ch, unsubscribed ? "subscribed" : "unsubscribed")}>
                      {unsubscribed ? <BellRing aria-hidden /> : <BellOff aria-hidden />} {unsubscribed ? "Resubscribe" : "Unsubscribe"}
                    </Button>
                  ) : null}
                </li>
              );
            })}
          </ul>
          {c.subscriptions.filter((s) => s.topic !== null).map((s) => (
            <p key={`${s.channel}:${s.topic}`} className="text-xs text-muted-foreground">
              {s.channel} · topic <span className="font-mono">{s.topic}</span>: {s.status} ({s.source}, {fmt.dateTime(s.changed_at)})
            </p>
          ))}
        </section>
        <section className="grid gap-1" aria-label="Schools">
          <h3 className="text-xs font-medium text-muted-foreground">Schools</h3>
          {c.schools.length === 0 ? (
            <p className="text-muted-foreground">No school relationships.</p>
          ) : (
            <ul className="grid gap-1">
              {c.schools.map((s) => (
                <li key={`${s.school_id}:${s.role}`} className="flex items-center gap-2">
                  <Badge variant="outline">{s.role}</Badge> {s.school_name}
                </li>
              ))}
            </ul>
          )}
        </section>
        {c.push_targets.length > 0 ? (
          <section className="grid gap-1" aria-label="Push targets">
            <h3 className="text-xs font-medium text-muted-foreground">Push targets</h3>
            <ul className="grid gap-1">
              {c.push_targets.map((t) => (
                <li key={t.token} className="flex min-w-0 items-center gap-2">
                  <Badge variant={t.active ? "success" : "destructive"}>{t.active ? "active" : (t.reason ?? "inactive")}</Badge>
                  <span className="text-xs">{t.provider} · {t.platform}</span>
                  <span className="truncate font-mono text-xs">{t.token}</span>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        <Separator />
        <section className="grid gap-1" aria-label="Message history">
          <h3 className="text-xs font-medium text-muted-foreground">Message history</h3>
          {messages.isPending ? (
            <Skeleton className="h-16 w-full" />
          ) : messages.isError ? (
            <p className="text-destructive">{errorMessage(messages.error)}</p>
          ) : messages.data.data.length === 0 ? (
            <p className="text-muted-foreground">No messages sent to this contact yet. Send with {"{"}&quot;contact_id&quot;{"}"} or {"{"}&quot;external_id&quot;{"}"}.</p>
          ) : (
            <ul className="divide-y rounded-md border">
              {messages.data.data.map((m) => (
                <li key={m.id} className="flex flex-wrap items-center gap-2 px-3 py-2">
                  <MessageStatusBadge status={m.status} />
                  <span className="capitalize">{m.channel}</span>
                  <span className="text-xs text-muted-foreground">{fmt.dateTime(m.created_at)}</span>
                  {m.error_code ? <span className="ml-auto font-mono text-xs text-destructive">{m.error_code}</span> : null}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      {canWrite ? (
        <SheetFooter className="flex-row justify-end">
          <AlertDialog>
            <AlertDialogTrigger asChild>
              <Button variant="destructive">
                <Trash2 aria-hidden /> Erase contact
              </Button>
            </AlertDialogTrigger>
            <AlertDialogContent>
              <AlertDialogHeader>
                <AlertDialogTitle>Erase “{title}”?</AlertDialogTitle>
                <AlertDialogDescription>
                  GDPR erasure: the contact and its personal data are removed everywhere. Its messages stay in the log with the address redacted, suppressions keep guarding the address (hashed), and
                  integrations are told to delete it. This cannot be undone.
                </AlertDialogDescription>
              </AlertDialogHeader>
              <AlertDialogFooter>
                <AlertDialogCancel>Cancel</AlertDialogCancel>
                <AlertDialogAction
                  variant="destructive"
                  // mutateAsync: the refetch after erasure can unmount this detail (the record
                  // is gone), and mutate's per-call callbacks never fire after that.
                  onClick={async () => {
                    try {
                      const r = await erase.mutateAsync(c.id);
                      toast.success(`Erased; ${r.messages_redacted} messages redacted`);
                      onErased();
                    } catch (e) {
                      toast.error(errorMessage(e));
                    }
                  }}
                >
                  Erase permanently
                </AlertDialogAction>
              </AlertDialogFooter>
            </AlertDialogContent>
          </AlertDialog>
        </SheetFooter>
      ) : null}
    </>
  );
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  const empty = children === null || children === undefined || children === "";
  return (
    <>
      <dt className="text-muted-foreground">{label}</dt>
      <dd className="min-w-0 break-words">{empty ? <span className="text-muted-foreground">Not set</span> : children}</dd>
    </>
  );
}
