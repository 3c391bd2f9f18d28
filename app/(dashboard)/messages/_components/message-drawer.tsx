"use client";

import { CopyButton } from "@/components/ui/copy-button";
import { Badge } from "@/components/ui/badge";
import { Separator } from "@/components/ui/separator";
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from "@/components/ui/sheet";
import { useReturnFocus } from "@/components/ui/return-focus";
import { Skeleton } from "@/components/ui/skeleton";
import { errorMessage } from "@/lib/hooks/api-client";
import { useMessage } from "@/lib/hooks/use-messages";
import type { MessageDetailOut } from "@/lib/validations/messages";
import { providerLabels, type ProviderKind } from "@/lib/validations/provider-configs";
import { MessageStatusBadge } from "./status-badge";
import { MediaDetail } from "@/components/media/media-detail";
import { useFormat } from "@/components/format-provider";

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section className="grid gap-2">
      <h3 className="text-sm font-semibold">{title}</h3>
      {children}
    </section>
  );
}

function Json({ value }: { value: unknown }) {
  return <pre className="max-h-80 overflow-auto rounded-md bg-muted p-3 font-mono text-xs whitespace-pre-wrap break-all">{JSON.stringify(value, null, 2)}</pre>;
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <>
      <dt className="text-muted-foreground">{label}</dt>
      <dd className="min-w-0 break-all">{children}</dd>
    </>
  );
}

const providerName = (p: string | null) => (p ? (providerLabels[p as ProviderKind] ?? p) : "—");

function Detail({ m, configName }: { m: MessageDetailOut; configName: (id: string | null) => string | undefined }) {
  const fmt = useFormat();
  return (
    <div className="grid gap-6 px-4 pb-6">
      <dl className="grid grid-cols-[6.5rem_minmax(0,1fr)] gap-x-3 sm:grid-cols-[8rem_minmax(0,1fr)] gap-y-1.5 text-sm">
        <Field label="Status">
          <MessageStatusBadge status={m.status} />
          {m.error_code ? <span className="ml-2 font-mono text-xs text-destructive">{m.error_code}</span> : null}
        </Field>
        {m.error_message ? <Field label="Error">{m.error_message}</Field> : null}
        <Field label="Recipient">
          <span className="font-mono text-xs">{m.recipient}</span>
        </Field>
        <Field label="Provider">
          {providerName(m.provider)}
          {configName(m.config_id) ? ` · ${configName(m.config_id)}` : ""}
        </Field>
        <Field label="Route">
          {m.route.length === 0 ? "—" : m.route.map((h) => `${providerName(h.provider)}${configName(h.config_id) ? ` (${configName(h.config_id)})` : ""}`).join(" → ")}
        </Field>
        {m.segments !== null ? <Field label="Segments">{m.segments}</Field> : null}
        {m.cost_amount !== null ? (
          <Field label="Cost">
            {m.cost_amount} {m.cost_currency ?? ""}
          </Field>
        ) : null}
        {m.provider_message_id ? (
          <Field label="Provider id">
            <span className="font-mono text-xs">{m.provider_message_id}</span>
          </Field>
        ) : null}
        <Field label="Reference">
          <span className="font-mono text-xs">{m.provider_reference}</span>
        </Field>
        {m.idempotency_key ? (
          <Field label="Idempotency key">
            <span className="font-mono text-xs">{m.idempotency_key}</span>
          </Field>
        ) : null}
        {m.action_id ? <Field label="Action id">{m.action_id}</Field> : null}
        <Field label="Trace id">
          <span className="font-mono text-xs">{m.trace_id}</span>
        </Field>
        <Field label="Created">{fmt.dateTime(m.created_at)}</Field>
        {m.sent_at ? <Field label="Sent">{fmt.dateTime(m.sent_at)}</Field> : null}
        {m.delivered_at ? <Field label="Delivered">{fmt.dateTime(m.delivered_at)}</Field> : null}
        {m.channel === "email" && (m.engagement.opens > 0 || m.engagement.clicks > 0) ? (
          <Field label="Engagement">
            {m.engagement.opens} opens ({m.engagement.unique_opens} unique), {m.engagement.clicks} clicks ({m.engagement.unique_clicks} unique)
          </Field>
        ) : null}
      </dl>
      <Separator />
      {m.media.length > 0 ? (
        <Section title={`Media (${m.media.length})`}>
          {m.media.map((f) => (
            <div key={f.id} className="rounded-md border p-3">
              <MediaDetail m={f} />
            </div>
          ))}
        </Section>
      ) : null}
      <Section title="Payload">
        <Json value={m.payload} />
        {m.context ? (
          <>
            <p className="text-xs text-muted-foreground">Context (passed through to events)</p>
            <Json value={m.context} />
          </>
        ) : null}
      </Section>
      <Section title={`Attempts (${m.attempts.length})`}>
        {m.attempts.length === 0 ? (
          <p className="text-sm text-muted-foreground">No provider call yet.</p>
        ) : (
          <ol className="grid gap-3 border-l pl-4">
            {m.attempts.map((a) => (
              <li key={a.id} className="grid gap-1 text-sm">
                <div className="flex flex-wrap items-center gap-2">
                  <span className="font-medium">#{a.attempt_no}</span>
                  <span>{providerName(a.provider)}</span>
                  <Badge variant={a.outcome === "sent" ? "success" : a.outcome === "failed" ? "destructive" : "warning"}>{a.outcome}</Badge>
                  {a.response_code !== null ? <span className="font-mono text-xs">HTTP {a.response_code}</span> : null}
                  {a.latency_ms !== null ? <span className="text-xs text-muted-foreground">{a.latency_ms} ms</span> : null}
                  <span className="text-xs text-muted-foreground">{fmt.dateTime(a.started_at)}</span>
                </div>
                {a.error_code || a.error_message ? (
                  <p className="text-xs text-destructive">
                    {a.error_code ? <span className="font-mono">{a.error_code}</span> : null} {a.error_message}
                    {a.retryable ? " (retryable)" : ""}
                  </p>
                ) : null}
                {Object.keys(a.request_summary).length > 0 ? (
                  <details className="text-xs">
                    <summary className="cursor-pointer text-muted-foreground">Request summary</summary>
                    <Json value={a.request_summary} />
                  </details>
                ) : null}
              </li>
            ))}
          </ol>
        )}
      </Section>
      <Section title="Status history">
        <ol className="grid gap-1 text-sm">
          {m.status_history.map((h, i) => (
            <li key={i} className="flex flex-wrap items-center gap-2">
              <span className="text-xs text-muted-foreground tabular-nums">{fmt.dateTime(h.at)}</span>
              {h.from ? <MessageStatusBadge status={h.from} /> : <span className="text-xs text-muted-foreground">new</span>}
              <span aria-hidden>→</span>
              <MessageStatusBadge status={h.to} />
              {h.reason ? <span className="text-xs text-muted-foreground">{h.reason}</span> : null}
            </li>
          ))}
        </ol>
      </Section>
      <Section title="Events emitted">
        {m.events.length === 0 ? (
          <p className="text-sm text-muted-foreground">None yet: communication.sent.v1 or communication.failed.v1 is emitted when the message reaches a terminal state.</p>
        ) : (
          m.events.map((e) => (
            <div key={e.id} className="grid gap-1">
              <div className="flex flex-wrap items-center gap-2 text-sm">
                <span className="font-mono">{e.event}</span>
                <Badge variant={e.status === "published" ? "success" : e.status === "dead_lettered" ? "destructive" : "secondary"}>{e.status}</Badge>
                <span className="text-xs text-muted-foreground">{e.published_at ? `published ${fmt.dateTime(e.published_at)}` : `created ${fmt.dateTime(e.created_at)}`}</span>
              </div>
              <Json value={e.body} />
            </div>
          ))
        )}
      </Section>
    </div>
  );
}

export function MessageDrawer({ id, onClose, configName }: { id: string | null; onClose: () => void; configName: (id: string | null) => string | undefined }) {
  const message = useMessage(id);
  const returnFocus = useReturnFocus(id);
  return (
    <Sheet open={id !== null} onOpenChange={(open) => (open ? null : onClose())}>
      <SheetContent className="w-full overflow-y-auto sm:max-w-2xl" onCloseAutoFocus={returnFocus}>
        <SheetHeader>
          <SheetTitle>Message</SheetTitle>
          <SheetDescription className="flex items-center gap-1 font-mono text-xs">
            {id}
            {id ? <CopyButton value={id} aria-label="Copy message id" /> : null}
          </SheetDescription>
        </SheetHeader>
        {message.isPending ? (
          <div className="grid gap-3 px-4">
            <Skeleton className="h-40" />
            <Skeleton className="h-24" />
          </div>
        ) : message.isError ? (
          <p role="alert" className="px-4 text-sm text-destructive">
            {errorMessage(message.error)}
          </p>
        ) : (
          <Detail m={message.data} configName={configName} />
        )}
      </SheetContent>
    </Sheet>
  );
}
