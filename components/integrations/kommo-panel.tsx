"use client";

import * as React from "react";
import { useFormat } from "@/components/format-provider";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { useConfirm } from "@/components/ui/confirm-dialog";
import { CopyButton } from "@/components/ui/copy-button";
import { EmptyState } from "@/components/ui/empty-state";
import { FilterSelect, FILTER_ALL } from "@/components/ui/filter-select";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { toast } from "@/components/ui/toaster";
import { errorMessage, fieldErrors } from "@/lib/hooks/api-client";
import { kommoAuthorizeHref, useCreateKommo, useKommoIntegrations, useKommoRequests, useSetKommoUnisender, useStartKommoSync } from "@/lib/hooks/use-kommo";
import { useUrlState } from "@/lib/hooks/use-url-state";
import type { KommoIntegrationOut } from "@/lib/validations/kommo";

const statusLabel: Record<KommoIntegrationOut["status"], string> = { pending_authorization: "Waiting for authorization", active: "Active", error: "Error" };

/** The Kommo → Unisender tab of the Integrations page: setup steps, state, sync progress and the request log. */
export function KommoPanel({ canManage }: { canManage: boolean }) {
  const { data, isLoading, error } = useKommoIntegrations();
  const [url, setUrl] = useUrlState(["id"]);
  if (isLoading) return <p className="text-sm text-muted-foreground">Loading…</p>;
  if (error) return <p className="text-sm text-destructive">{errorMessage(error)}</p>;
  const list = data ?? [];
  const selected = list.find((i) => i.id === url.id) ?? list[0];
  return (
    <div className="grid gap-6">
      {list.length > 1 && (
        <FilterSelect
          label="Kommo account"
          value={selected?.id ?? ""}
          onChange={(v) => setUrl({ id: v }, { push: true })}
          options={list.map((i) => ({ value: i.id, label: `${i.subdomain}.kommo.com` }))}
        />
      )}
      {selected ? <KommoIntegrationView integration={selected} canManage={canManage} /> : <EmptyState title="No Kommo integration yet" description="Register your Kommo integration to mirror its contacts into Unisender." />}
      {canManage && <RegisterKommoForm />}
    </div>
  );
}

function RegisterKommoForm() {
  const create = useCreateKommo();
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const onSubmit = (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setErrors({});
    create.mutate(
      { subdomain: String(f.get("subdomain") ?? ""), client_id: String(f.get("client_id") ?? ""), client_secret: String(f.get("client_secret") ?? ""), delete_mode: "exclude" },
      {
        onSuccess: () => toast.success("Kommo integration registered: copy the redirect URI and webhook URL into Kommo"),
        onError: (err) => {
          const fields = fieldErrors(err);
          setErrors(fields);
          if (Object.keys(fields).length === 0) toast.error(errorMessage(err));
        },
      },
    );
  };
  return (
    <Card>
      <CardHeader>
        <CardTitle>1. Register a Kommo integration</CardTitle>
        <CardDescription>Create a private integration in Kommo (Settings → Integrations), then paste its keys here.</CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={onSubmit} className="grid gap-4 sm:grid-cols-3">
          <Field name="subdomain" label="Account subdomain" placeholder="e.g. acme (for acme.kommo.com)" error={errors.subdomain} />
          <Field name="client_id" label="Integration ID (client_id)" placeholder="e.g. 8c6d…-…" error={errors.client_id} />
          <Field name="client_secret" label="Secret key" type="password" placeholder="e.g. the secret Kommo shows once" error={errors.client_secret} />
          <div className="sm:col-span-3">
            <Button type="submit" disabled={create.isPending}>
              Register
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}

function Field({ name, label, error, ...props }: { name: string; label: string; error?: string } & React.ComponentProps<typeof Input>) {
  const id = `kommo-${name}`;
  return (
    <div className="grid min-w-0 gap-1.5">
      <Label htmlFor={id}>{label}</Label>
      <Input id={id} name={name} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} {...props} />
      {error && (
        <p id={`${id}-error`} className="text-sm text-destructive">
          {error}
        </p>
      )}
    </div>
  );
}

function CopyRow({ label, value }: { label: string; value: string }) {
  return (
    <div className="grid min-w-0 gap-1">
      <span className="text-sm font-medium">{label}</span>
      <div className="flex min-w-0 items-center gap-2">
        <code className="min-w-0 flex-1 truncate rounded bg-muted px-2 py-1 text-xs">{value}</code>
        <CopyButton value={value} label={`Copy ${label.toLowerCase()}`} />
      </div>
    </div>
  );
}

function KommoIntegrationView({ integration: i, canManage }: { integration: KommoIntegrationOut; canManage: boolean }) {
  const fmt = useFormat();
  const confirm = useConfirm();
  const sync = useStartKommoSync(i.id);
  const total = i.mirrored_contacts || i.sync.contacts;
  const progress = i.sync.status === "running" ? Math.min(99, total ? Math.round((i.sync.contacts / Math.max(total, i.sync.contacts + 250)) * 100) : 0) : i.sync.status === "done" ? 100 : 0;
  const startSync = async (mode: "full" | "incremental") => {
    const ok = await confirm({
      title: mode === "full" ? `Run a full sync of ${i.subdomain}.kommo.com?` : `Sync contacts changed in ${i.subdomain}.kommo.com since the last sync?`,
      description: mode === "full" ? "Every Kommo contact is loaded and written to your Unisender lists. A running sync is restarted." : "Only contacts updated since the last completed sync are loaded. A running sync is restarted.",
      confirmLabel: mode === "full" ? "Start full sync" : "Start sync",
      destructive: false,
    });
    if (ok) sync.mutate(mode, { onError: (err) => toast.error(errorMessage(err)) });
  };
  return (
    <div className="grid gap-6">
      <Card>
        <CardHeader>
          <CardTitle className="flex flex-wrap items-center gap-2">
            {i.subdomain}.kommo.com
            <Badge variant={i.status === "active" ? "success" : i.status === "error" ? "destructive" : "warning"}>{statusLabel[i.status]}</Badge>
          </CardTitle>
          {i.error_reason && <CardDescription className="text-destructive">{i.error_reason}</CardDescription>}
        </CardHeader>
        <CardContent className="grid gap-4">
          <CopyRow label="Redirect URI" value={i.redirect_uri} />
          {i.webhook_url && <CopyRow label="Webhook URL (contacts added, updated, deleted)" value={i.webhook_url} />}
          <dl className="grid gap-2 text-sm sm:grid-cols-3">
            <div>
              <dt className="text-muted-foreground">Access token expires</dt>
              <dd>{i.access_expires_at ? fmt.dateTimeShort(i.access_expires_at) : "—"}</dd>
            </div>
            <div>
              <dt className="text-muted-foreground">Mirrored contacts</dt>
              <dd>{i.mirrored_contacts}</dd>
            </div>
            <div>
              <dt className="text-muted-foreground">Webhook changes waiting</dt>
              <dd>{i.pending_webhooks}</dd>
            </div>
          </dl>
          {canManage && (
            <div className="flex flex-wrap gap-2">
              <Button asChild variant={i.status === "active" ? "outline" : "default"}>
                <a href={kommoAuthorizeHref(i.id)}>{i.status === "active" ? "Authorize again" : "2. Authorize in Kommo"}</a>
              </Button>
              <Button onClick={() => startSync("full")} disabled={sync.isPending || i.status !== "active" || !i.unisender.api_key_set}>
                Run full sync
              </Button>
              <Button variant="outline" onClick={() => startSync("incremental")} disabled={sync.isPending || i.status !== "active" || !i.unisender.api_key_set || i.sync.status === "idle"}>
                Sync changes only
              </Button>
            </div>
          )}
        </CardContent>
      </Card>

      {canManage && <UnisenderForm integration={i} />}

      <Card>
        <CardHeader>
          <CardTitle>Full sync</CardTitle>
          <CardDescription>
            {i.sync.status === "idle"
              ? "Not run yet."
              : `${i.sync.status === "running" ? "Running" : i.sync.status === "done" ? "Done" : "Failed"}: ${i.sync.contacts} contacts read in ${i.sync.pages} pages, ${i.sync.pushed} written to Unisender${i.sync.started_at ? `, started ${fmt.dateTimeShort(i.sync.started_at)}` : ""}${i.sync.finished_at ? `, finished ${fmt.dateTimeShort(i.sync.finished_at)}` : ""}.`}
          </CardDescription>
        </CardHeader>
        <CardContent>
          <div role="progressbar" aria-label="Full sync progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={progress} className="h-2 w-full overflow-hidden rounded bg-muted">
            <div className="h-full bg-primary transition-all" style={{ width: `${progress}%` }} />
          </div>
          {i.sync.error && <p className="mt-2 text-sm text-destructive">{i.sync.error}</p>}
        </CardContent>
      </Card>

      <RequestLog integrationId={i.id} />
    </div>
  );
}

function UnisenderForm({ integration: i }: { integration: KommoIntegrationOut }) {
  const set = useSetKommoUnisender(i.id);
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const onSubmit = (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const key = String(f.get("api_key") ?? "");
    const lists = String(f.get("list_ids") ?? "")
      .split(/[\s,]+/)
      .filter(Boolean);
    setErrors({});
    set.mutate(
      { ...(key ? { api_key: key } : {}), list_ids: lists, delete_mode: f.get("delete_mode") === "delete" ? "delete" : "exclude" },
      {
        onSuccess: () => toast.success("Unisender settings saved"),
        onError: (err) => {
          const fields = fieldErrors(err);
          setErrors(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k.replace(/\[\d+\]$/, ""), v])));
          if (Object.keys(fields).length === 0) toast.error(errorMessage(err));
        },
      },
    );
  };
  return (
    <Card>
      <CardHeader>
        <CardTitle>3. Unisender</CardTitle>
        <CardDescription>{i.unisender.api_key_set ? "An API key is stored (it is never shown again); leave the field empty to keep it." : "Paste the API key from your Unisender account settings."}</CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={onSubmit} className="grid gap-4 sm:grid-cols-3">
          <Field name="api_key" label="API key" type="password" autoComplete="off" placeholder={i.unisender.api_key_set ? "•••••• (stored)" : "e.g. 6u3x…"} error={errors.api_key} />
          <Field name="list_ids" label="List ids" defaultValue={i.unisender.list_ids.join(", ")} placeholder="e.g. 12, 34" error={errors.list_ids} />
          <div className="grid gap-1.5">
            <Label htmlFor="kommo-delete-mode">When a contact is deleted in Kommo</Label>
            <select id="kommo-delete-mode" name="delete_mode" defaultValue={i.unisender.delete_mode} className="h-9 rounded-md border bg-background px-2 text-sm">
              <option value="exclude">Remove it from the lists (exclude)</option>
              <option value="delete">Delete it from Unisender</option>
            </select>
          </div>
          <div className="sm:col-span-3">
            <Button type="submit" disabled={set.isPending}>
              Save
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}

function RequestLog({ integrationId }: { integrationId: string }) {
  const fmt = useFormat();
  const [url, setUrl] = useUrlState(["service", "outcome", "before"]);
  const { data, isLoading } = useKommoRequests(integrationId, {
    service: url.service ?? undefined,
    ok: url.outcome === "ok" ? "true" : url.outcome === "failed" ? "false" : undefined,
    before: url.before ?? undefined,
  });
  return (
    <Card>
      <CardHeader>
        <CardTitle>Request log</CardTitle>
        <CardDescription>Every call to Kommo and Unisender and every webhook received; tokens and keys are never recorded.</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        <div className="flex flex-wrap gap-2">
          <FilterSelect
            label="Service"
            value={url.service ?? FILTER_ALL}
            onChange={(v) => setUrl({ service: v === FILTER_ALL ? null : v, before: null }, { push: true })}
            options={[
              { value: FILTER_ALL, label: "All services" },
              { value: "kommo", label: "Kommo" },
              { value: "unisender", label: "Unisender" },
              { value: "webhook", label: "Webhooks received" },
            ]}
          />
          <FilterSelect
            label="Outcome"
            value={url.outcome ?? FILTER_ALL}
            onChange={(v) => setUrl({ outcome: v === FILTER_ALL ? null : v, before: null }, { push: true })}
            options={[
              { value: FILTER_ALL, label: "Any outcome" },
              { value: "ok", label: "Succeeded" },
              { value: "failed", label: "Failed" },
            ]}
          />
        </div>
        {isLoading ? (
          <p className="text-sm text-muted-foreground">Loading…</p>
        ) : !data?.data.length ? (
          <p className="text-sm text-muted-foreground">No requests match.</p>
        ) : (
          <div className="overflow-x-auto">
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>Time ({fmt.zone()})</TableHead>
                  <TableHead>Service</TableHead>
                  <TableHead>Operation</TableHead>
                  <TableHead>Status</TableHead>
                  <TableHead>Summary</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {data.data.map((r) => (
                  <TableRow key={r.id}>
                    <TableCell className="whitespace-nowrap">{fmt.dateTime(r.created_at)}</TableCell>
                    <TableCell>{r.service}</TableCell>
                    <TableCell>{r.operation}</TableCell>
                    <TableCell>
                      <Badge variant={r.ok ? "secondary" : "destructive"}>{r.status ?? "no answer"}</Badge>
                    </TableCell>
                    <TableCell className="max-w-[24rem] truncate" title={JSON.stringify(r.input)}>
                      {r.summary} <span className="text-muted-foreground">· {r.duration_ms} ms</span>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
        )}
        <div className="flex gap-2">
          {url.before && (
            <Button variant="outline" onClick={() => setUrl({ before: null }, { push: true })}>
              Newest
            </Button>
          )}
          {data?.next_before && (
            <Button variant="outline" onClick={() => setUrl({ before: String(data.next_before) }, { push: true })}>
              Older
            </Button>
          )}
        </div>
      </CardContent>
    </Card>
  );
}
