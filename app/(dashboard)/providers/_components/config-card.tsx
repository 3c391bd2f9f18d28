"use client";

import Link from "next/link";
import { Bell, Mail, MessageCircle, MessageSquare } from "lucide-react";
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
import { Card, CardAction, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { ConfigUsagePanel } from "@/components/usage/config-usage-panel";
import { toast } from "@/components/ui/toaster";
import { errorMessage } from "@/lib/hooks/api-client";
import { isSandboxName } from "@/lib/sandbox/names";
import { useRotateCallbackToken, useTestProviderConfig, useTransitionProviderConfig } from "@/lib/hooks/use-provider-configs";
import {
  providerChannels,
  providerDefinitions,
  providerLabels,
  type CredentialOut,
  type ProviderConfigOut,
  type TransitionTarget,
} from "@/lib/validations/provider-configs";
import { ConfigHealth } from "./config-health";
import { SendTestDialog } from "./send-test-dialog";
import { StatusBadge } from "./status-badge";
import { useFormat } from "@/components/format-provider";
import type { Formatter } from "@/lib/format";

const channelIcons = { email: Mail, sms: MessageSquare, push: Bell, whatsapp: MessageCircle } as const;

/** "set · last rotated <date>" — all the UI ever says about a credential. */
export function credentialSummary(c: CredentialOut | undefined, fmt: Formatter): string {
  if (!c) return "not set";
  if (c.source === "env") return `${c.set ? "set" : "not set"} · from ${c.ref.slice(4)}`;
  if (!c.set) return "missing";
  return c.rotated_at ? `set · last rotated ${fmt.dateTime(c.rotated_at)}` : `set · never rotated`;
}

function summaryValue(v: unknown): string {
  if (Array.isArray(v)) return v.length ? v.join(", ") : "any";
  if (typeof v === "boolean") return v ? "on" : "off";
  if (v === null || v === undefined || v === "") return "—";
  return String(v);
}

export function ConfigCard({ config, canManage, onEdit }: { config: ProviderConfigOut; canManage: boolean; onEdit: () => void }) {
  const fmt = useFormat();
  const def = providerDefinitions[config.provider];
  const Icon = channelIcons[providerChannels[config.provider]];
  const test = useTestProviderConfig();
  const transition = useTransitionProviderConfig();
  const rotate = useRotateCallbackToken();
  const busy = test.isPending || transition.isPending || rotate.isPending;
  const name = config.display_name;

  const move = (to: TransitionTarget) =>
    transition.mutate(
      { provider: config.provider, id: config.id, to },
      {
        onSuccess: (c) => toast.success(`${name} is now ${c.status}`),
        onError: (e) => toast.error(errorMessage(e)),
      },
    );

  const runTest = () =>
    test.mutate(
      { provider: config.provider, id: config.id },
      {
        onSuccess: (r) => {
          if (!r.ok) return void toast.error(`${name}: test failed (${r.message}); status ${r.config.status}`);
          // Say what the test changed: it never activates, so a draft needs the explicit step.
          const after =
            r.config.status === "draft"
              ? "It is still a draft: press Activate to send with it."
              : r.config.status === config.status
                ? `Status unchanged (${r.config.status}).`
                : `Status ${config.status} → ${r.config.status}.`;
          toast.success(`${name}: credentials work. ${after}`);
        },
        onError: (e) => toast.error(errorMessage(e)),
      },
    );

  const rotateToken = () =>
    rotate.mutate(
      { provider: config.provider, id: config.id },
      {
        onSuccess: () => toast.success(`${name}: new callback token; give the provider the new delivery report URL`),
        onError: (e) => toast.error(errorMessage(e)),
      },
    );

  const webhookUrl = config.webhook_url;
  const allowed = config.allowed_transitions;

  return (
    <Card aria-label={name} data-testid="provider-config-card" className="h-full">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <Icon className="size-4 text-muted-foreground" aria-hidden />
          <span className="truncate">{name}</span>
        </CardTitle>
        <CardDescription>
          {providerLabels[config.provider]} · {providerChannels[config.provider]}
        </CardDescription>
        <CardAction className="flex items-center gap-1">
          {isSandboxName(name) ? (
            <Badge variant="info" title="Served by the simulator inside Herald: nothing leaves this machine">
              Sandbox
            </Badge>
          ) : null}
          <StatusBadge status={config.status} />
        </CardAction>
      </CardHeader>
      <CardContent className="grid gap-3 text-sm">
        {config.last_error ? (
          <p role="alert" className="rounded-md border border-destructive/30 bg-destructive/5 p-2 text-destructive">
            <span className="font-medium">Last error: </span>
            {config.last_error}
          </p>
        ) : null}
        <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-4 gap-y-1">
          {Object.entries(def.fields).map(([key, meta]) => (
            <div key={key} className="contents">
              <dt className="text-muted-foreground">{meta.label}</dt>
              <dd className="truncate">{summaryValue(config[key])}</dd>
            </div>
          ))}
          {Object.entries(def.credentials).map(([key, meta]) => (
            <div key={key} className="contents">
              <dt className="text-muted-foreground">{meta.label}</dt>
              <dd className="min-w-0 break-words" data-testid={`credential-${key}`}>{credentialSummary(config.credentials[key], fmt)}</dd>
            </div>
          ))}
          {config.api_base_url ? (
            <>
              <dt className="text-muted-foreground">API base URL</dt>
              <dd className="truncate font-mono text-xs">{config.api_base_url}</dd>
            </>
          ) : null}
          <dt className="text-muted-foreground">Last tested</dt>
          <dd>{config.last_tested_at ? fmt.dateTime(config.last_tested_at) : "never"}</dd>
          {config.monthly_quota ? (
            <>
              <dt className="text-muted-foreground">Quota</dt>
              <dd>{config.monthly_quota.toLocaleString()} messages a month</dd>
            </>
          ) : null}
        </dl>
        {config.health ? <ConfigHealth health={config.health} used={config.usage.sent > 0 || config.usage.last_sent_at !== null} /> : null}
        <ConfigUsagePanel configId={config.id} engagement={providerChannels[config.provider] === "email"} />
        {webhookUrl && canManage ? (
          <div className="flex flex-wrap items-center gap-2" data-testid="config-webhook">
            <span className="text-muted-foreground">Webhook URL</span>
            <CopyButton value={webhookUrl} label="Copy webhook URL" size="icon-sm" variant="ghost" />
            <code className="min-w-0 basis-full rounded bg-muted px-1.5 py-0.5 text-xs break-all">{webhookUrl}</code>
            <span className="basis-full text-xs text-muted-foreground" data-testid="config-last-event">
              {config.last_event_at
                ? `Last event received at ${fmt.dateTime(config.last_event_at)}`
                : `Waiting for the first event: paste this URL in ${providerLabels[config.provider]}'s webhook settings.`}{" "}
              <Link href={`/webhooks?tab=rejected&config=${config.id}`} className="underline underline-offset-4">
                Refused requests
              </Link>
            </span>
            {config.dlr_callback_url && config.status !== "decommissioned" ? (
              <AlertDialog>
                <AlertDialogTrigger asChild>
                  <Button size="sm" variant="ghost" disabled={busy}>
                    {rotate.isPending ? "Rotating…" : "Rotate token"}
                  </Button>
                </AlertDialogTrigger>
                <AlertDialogContent>
                  <AlertDialogHeader>
                    <AlertDialogTitle>Rotate the callback token of “{name}”?</AlertDialogTitle>
                    <AlertDialogDescription>
                      The token in the delivery report URL is the only proof a report comes from {providerLabels[config.provider]}. After rotating,
                      reports with the old token are refused (401) — including reports for messages already sent. New sends use the new URL.
                    </AlertDialogDescription>
                  </AlertDialogHeader>
                  <AlertDialogFooter>
                    <AlertDialogCancel>Cancel</AlertDialogCancel>
                    <AlertDialogAction variant="destructive" onClick={rotateToken}>
                      Rotate token
                    </AlertDialogAction>
                  </AlertDialogFooter>
                </AlertDialogContent>
              </AlertDialog>
            ) : null}
          </div>
        ) : null}
      </CardContent>
      {canManage && config.status !== "decommissioned" ? (
        <CardFooter className="flex flex-wrap gap-2">
          <Button size="sm" variant="outline" onClick={runTest} disabled={busy}>
            {test.isPending ? "Testing…" : "Test"}
          </Button>
          <SendTestDialog config={config} disabled={busy} />
          {allowed.includes("active") ? (
            <Button size="sm" onClick={() => move("active")} disabled={busy}>
              Activate
            </Button>
          ) : null}
          {allowed.includes("paused") ? (
            <Button size="sm" variant="secondary" onClick={() => move("paused")} disabled={busy}>
              Pause
            </Button>
          ) : null}
          <Button size="sm" variant="outline" onClick={onEdit} disabled={busy}>
            Edit
          </Button>
          {allowed.includes("decommissioned") ? (
            <AlertDialog>
              <AlertDialogTrigger asChild>
                <Button size="sm" variant="ghost" className="text-destructive" disabled={busy}>
                  Decommission
                </Button>
              </AlertDialogTrigger>
              <AlertDialogContent>
                <AlertDialogHeader>
                  <AlertDialogTitle>Decommission “{name}”?</AlertDialogTitle>
                  <AlertDialogDescription>
                    It stops sending at once and can never be activated again. Its history stays.
                  </AlertDialogDescription>
                </AlertDialogHeader>
                <AlertDialogFooter>
                  <AlertDialogCancel>Cancel</AlertDialogCancel>
                  <AlertDialogAction variant="destructive" onClick={() => move("decommissioned")}>
                    Decommission
                  </AlertDialogAction>
                </AlertDialogFooter>
              </AlertDialogContent>
            </AlertDialog>
          ) : null}
        </CardFooter>
      ) : null}
    </Card>
  );
}
