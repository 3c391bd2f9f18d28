"use client";

import { RefreshCw, RotateCcw, Send } from "lucide-react";
import { useState } from "react";
import { useFormat } from "@/components/format-provider";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Checkbox } from "@/components/ui/checkbox";
import { useConfirm } from "@/components/ui/confirm-dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { Switch } from "@/components/ui/switch";
import { toast } from "@/components/ui/toaster";
import { errorMessage, fieldErrors } from "@/lib/hooks/api-client";
import {
  useCustomerio,
  useCustomerioFailures,
  useReplayCustomerio,
  useResyncCustomerio,
  useSaveCustomerio,
  useSetCustomerioStatus,
  useTestCustomerio,
} from "@/lib/hooks/use-customerio";
import type { CustomerioConfigOut } from "@/lib/validations/customerio";

const roles = ["owner", "staff", "parent", "player"] as const;
const statusVariant = { active: "success", paused: "secondary", draft: "outline", error: "destructive", decommissioned: "outline" } as const;

/** Customer.io: state, counts, last error, resync with progress, dead letters with replay, and the config form (admins). */
export function CustomerioPanel({ canManage }: { canManage: boolean }) {
  const q = useCustomerio();
  if (q.isPending) return <Skeleton className="h-64 w-full" />;
  if (q.isError) return <p className="text-sm text-destructive">{errorMessage(q.error)}</p>;
  const cfg = q.data;
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      {cfg ? <StatusCard cfg={cfg} canManage={canManage} /> : null}
      {canManage ? <ConfigCard cfg={cfg} /> : cfg ? null : <p className="text-sm text-muted-foreground">Customer.io is not set up. An admin of this tenant can set it up.</p>}
      {cfg && cfg.counts.failed > 0 ? <FailuresCard canManage={canManage} /> : null}
    </div>
  );
}

function StatusCard({ cfg, canManage }: { cfg: CustomerioConfigOut; canManage: boolean }) {
  const fmt = useFormat();
  const confirm = useConfirm();
  const setStatus = useSetCustomerioStatus();
  const test = useTestCustomerio();
  const resync = useResyncCustomerio();
  const resync_ = cfg.resync;
  const pct = resync_ && resync_.total > 0 ? Math.round((resync_.done / resync_.total) * 100) : null;

  async function onResync() {
    const ok = await confirm({
      title: "Resend everything to Customer.io?",
      description: "Every contact (and, with B2B on, every school with its related contacts) is sent again in batches. Customer.io applies the same values again; nothing is deleted.",
      confirmLabel: "Resync",
      destructive: false,
    });
    if (!ok) return;
    resync.mutate({ b2c: cfg.b2c_enabled, b2b: cfg.b2b_enabled }, { onSuccess: () => toast.success("Resync started: progress shows below"), onError: (e) => toast.error(errorMessage(e)) });
  }

  async function onStatus(status: "active" | "paused") {
    if (status === "paused" && !(await confirm({ title: "Pause the Customer.io sync?", description: "Changes made while paused are not sent; a resync after activating sends them.", confirmLabel: "Pause" }))) return;
    setStatus.mutate({ status }, { onSuccess: () => toast.success(status === "active" ? "Sync active" : "Sync paused"), onError: (e) => toast.error(errorMessage(e)) });
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle className="flex flex-wrap items-center gap-2">
          Customer.io <Badge variant={statusVariant[cfg.status]}>{cfg.status}</Badge>
        </CardTitle>
        <CardDescription>
          {cfg.region.toUpperCase()} region · people (B2C) {cfg.b2c_enabled ? "on" : "off"} · schools (B2B) {cfg.b2b_enabled ? "on" : "off"}
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        <dl className="grid grid-cols-2 gap-2 text-sm sm:grid-cols-4">
          {(["synced", "pending", "failed", "skipped"] as const).map((k) => (
            <div key={k} className="rounded-md border p-2">
              <dt className="text-muted-foreground capitalize">{k}</dt>
              <dd className={k === "failed" && cfg.counts.failed > 0 ? "text-lg font-semibold text-destructive" : "text-lg font-semibold"}>{cfg.counts[k].toLocaleString()}</dd>
            </div>
          ))}
        </dl>
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
          <dt className="text-muted-foreground">Last sync</dt>
          <dd>{cfg.last_synced_at ? fmt.dateTime(cfg.last_synced_at) : "Never"}</dd>
          <dt className="text-muted-foreground">Last test</dt>
          <dd>{cfg.last_tested_at ? fmt.dateTime(cfg.last_tested_at) : "Never"}</dd>
          {cfg.last_error ? (
            <>
              <dt className="text-muted-foreground">Last error</dt>
              <dd className="min-w-0 break-words text-destructive">{cfg.last_error}</dd>
            </>
          ) : null}
        </dl>
        {resync_ ? (
          <div className="grid gap-1 text-sm">
            <div className="flex justify-between gap-2">
              <span>Resync since {fmt.dateTimeShort(resync_.started_at)}</span>
              <span>
                {resync_.done.toLocaleString()} / {resync_.total.toLocaleString()}
              </span>
            </div>
            <div role="progressbar" aria-label="Resync progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct ?? 0} className="h-2 w-full overflow-hidden rounded bg-muted">
              <div className="h-full bg-primary transition-all" style={{ width: `${pct ?? 0}%` }} />
            </div>
          </div>
        ) : null}
        {canManage ? (
          <div className="flex flex-wrap gap-2">
            <Button variant="outline" disabled={test.isPending} onClick={() => test.mutate(undefined, { onSuccess: (r) => (r.ok ? toast.success(r.message) : toast.error(r.message)), onError: (e) => toast.error(errorMessage(e)) })}>
              <Send aria-hidden /> Test credentials
            </Button>
            {cfg.status === "active" ? (
              <>
                <Button variant="outline" disabled={resync.isPending} onClick={onResync}>
                  <RefreshCw aria-hidden /> Resync
                </Button>
                <Button variant="ghost" disabled={setStatus.isPending} onClick={() => onStatus("paused")}>
                  Pause
                </Button>
              </>
            ) : cfg.status !== "decommissioned" ? (
              <Button disabled={setStatus.isPending} onClick={() => onStatus("active")}>
                Activate
              </Button>
            ) : null}
          </div>
        ) : null}
      </CardContent>
    </Card>
  );
}

function FailuresCard({ canManage }: { canManage: boolean }) {
  const fmt = useFormat();
  const failures = useCustomerioFailures(true);
  const replay = useReplayCustomerio();
  const confirm = useConfirm();
  async function onReplay() {
    if (!(await confirm({ title: "Replay every failed entity?", description: "They are sent again with their current state.", confirmLabel: "Replay", destructive: false }))) return;
    replay.mutate({}, { onSuccess: (r) => toast.success(`${r.replayed} entities queued again`), onError: (e) => toast.error(errorMessage(e)) });
  }
  return (
    <Card className="lg:col-span-2">
      <CardHeader>
        <CardTitle>Dead letters</CardTitle>
        <CardDescription>Entities Customer.io refused, or that failed every retry, with the reason.</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-3">
        <ul className="grid gap-2 text-sm">
          {(failures.data?.data ?? []).map((f) => (
            <li key={`${f.entity}-${f.entity_id}`} className="min-w-0 rounded-md border p-2">
              <div className="flex flex-wrap justify-between gap-2">
                <span className="font-medium break-all">
                  {f.entity} {f.cio_id ?? f.entity_id}
                </span>
                <span className="text-muted-foreground">{fmt.dateTimeShort(f.updated_at)}</span>
              </div>
              <p className="break-words text-destructive">{f.error}</p>
            </li>
          ))}
        </ul>
        {canManage ? (
          <div>
            <Button variant="outline" disabled={replay.isPending} onClick={onReplay}>
              <RotateCcw aria-hidden /> Replay all
            </Button>
          </div>
        ) : null}
      </CardContent>
    </Card>
  );
}

function ConfigCard({ cfg }: { cfg: CustomerioConfigOut | null }) {
  const save = useSaveCustomerio();
  const [region, setRegion] = useState<"us" | "eu">(cfg?.region ?? "us");
  const [siteId, setSiteId] = useState("");
  const [apiKey, setApiKey] = useState("");
  const [baseUrl, setBaseUrl] = useState(cfg?.api_base_url ?? "");
  const [objectType, setObjectType] = useState(cfg?.object_type_id ?? "1");
  const [b2c, setB2c] = useState(cfg?.b2c_enabled ?? false);
  const [b2b, setB2b] = useState(cfg?.b2b_enabled ?? false);
  const [b2bRoles, setB2bRoles] = useState<string[]>(cfg?.mapping.b2b_roles ?? ["owner", "staff"]);
  const [errors, setErrors] = useState<Record<string, string>>({});

  function onSubmit(e: React.FormEvent) {
    e.preventDefault();
    const body: Record<string, unknown> = {
      region,
      api_base_url: baseUrl.trim() || null,
      object_type_id: objectType.trim(),
      b2c_enabled: b2c,
      b2b_enabled: b2b,
      mapping: { ...(cfg?.mapping ?? {}), b2b_roles: b2bRoles },
      ...(siteId.trim() ? { site_id: siteId.trim() } : {}),
      ...(apiKey.trim() ? { api_key: apiKey.trim() } : {}),
    };
    save.mutate(body, {
      onSuccess: () => {
        toast.success("Customer.io settings saved");
        setSiteId("");
        setApiKey("");
        setErrors({});
      },
      onError: (err) => {
        setErrors(fieldErrors(err));
        toast.error(errorMessage(err));
      },
    });
  }

  const stored = (set: boolean | undefined) => (set ? "Stored — leave blank to keep" : "e.g. 3f2a9c1b7d");
  const err = (k: string) => (errors[k] ? <p className="text-sm text-destructive">{errors[k]}</p> : null);
  return (
    <Card>
      <CardHeader>
        <CardTitle>{cfg ? "Settings" : "Set up Customer.io"}</CardTitle>
        <CardDescription>Track API credentials are stored encrypted and never shown again.</CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={onSubmit} noValidate className="grid gap-3">
          <div className="grid gap-1">
            <Label htmlFor="cio-region">Region</Label>
            <Select value={region} onValueChange={(v) => setRegion(v as "us" | "eu")}>
              <SelectTrigger id="cio-region" className="w-full sm:w-48">
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                <SelectItem value="us">US (track.customer.io)</SelectItem>
                <SelectItem value="eu">EU (track-eu.customer.io)</SelectItem>
              </SelectContent>
            </Select>
          </div>
          <div className="grid gap-1">
            <Label htmlFor="cio-site">Site ID</Label>
            <Input id="cio-site" autoComplete="off" value={siteId} onChange={(e) => setSiteId(e.target.value)} placeholder={stored(cfg?.site_id.set)} aria-invalid={!!errors.site_id} />
            {err("site_id")}
          </div>
          <div className="grid gap-1">
            <Label htmlFor="cio-key">Track API key</Label>
            <Input id="cio-key" type="password" autoComplete="new-password" value={apiKey} onChange={(e) => setApiKey(e.target.value)} placeholder={cfg?.api_key.set ? "Stored — leave blank to keep" : "e.g. 8b1d0c…"} aria-invalid={!!errors.api_key} />
            {err("api_key")}
          </div>
          <div className="grid gap-1">
            <Label htmlFor="cio-base">API base URL (optional)</Label>
            <Input id="cio-base" inputMode="url" autoComplete="off" value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} placeholder="e.g. https://sim.example.test (leave blank for Customer.io)" aria-invalid={!!errors.api_base_url} />
            {err("api_base_url")}
          </div>
          <div className="grid gap-1">
            <Label htmlFor="cio-type">Object type id for schools</Label>
            <Input id="cio-type" inputMode="numeric" className="w-full sm:w-32" value={objectType} onChange={(e) => setObjectType(e.target.value)} placeholder="e.g. 1" aria-invalid={!!errors.object_type_id} />
            {err("object_type_id")}
          </div>
          <div className="flex items-center gap-2">
            <Switch id="cio-b2c" checked={b2c} onCheckedChange={setB2c} />
            <Label htmlFor="cio-b2c">People (B2C): every contact</Label>
          </div>
          <div className="flex items-center gap-2">
            <Switch id="cio-b2b" checked={b2b} onCheckedChange={setB2b} />
            <Label htmlFor="cio-b2b">Schools (B2B): objects with their related contacts</Label>
          </div>
          <fieldset className="grid gap-1" disabled={!b2b}>
            <legend className="text-sm font-medium">Roles related to a school</legend>
            <div className="flex flex-wrap gap-3">
              {roles.map((r) => (
                <div key={r} className="flex items-center gap-1.5">
                  <Checkbox id={`cio-role-${r}`} checked={b2bRoles.includes(r)} onCheckedChange={(v) => setB2bRoles((cur) => (v ? [...new Set([...cur, r])] : cur.filter((x) => x !== r)))} />
                  <Label htmlFor={`cio-role-${r}`} className="capitalize">
                    {r}
                  </Label>
                </div>
              ))}
            </div>
            {err("mapping.b2b_roles")}
          </fieldset>
          <div>
            <Button type="submit" disabled={save.isPending}>
              Save settings
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
