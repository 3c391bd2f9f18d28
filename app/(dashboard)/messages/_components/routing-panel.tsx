"use client";

import { ArrowDown, ArrowUp, Pencil, Plus, Trash2 } from "lucide-react";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { useConfirm } from "@/components/ui/confirm-dialog";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { Switch } from "@/components/ui/switch";
import { toast } from "@/components/ui/toaster";
import type { Channel } from "@/db/schema/messages";
import { errorMessage } from "@/lib/hooks/api-client";
import { useDeleteRoutingRule, usePreviewRoute, useRoutingRules, useUpdateRoutingRule } from "@/lib/hooks/use-routing-rules";
import { channels, pushPlatforms } from "@/lib/validations/messages";
import { providerLabels } from "@/lib/validations/provider-configs";
import type { RoutingRuleOut } from "@/lib/validations/routing-rules";
import { RuleDialog } from "./rule-dialog";

const channelTitles: Record<Channel, string> = { email: "Email", sms: "SMS", push: "Push", whatsapp: "WhatsApp" };

function matchText(match: Record<string, string[]>) {
  const parts = Object.entries(match).map(([k, v]) => `${k.replace(/_/g, " ")}: ${v.join(", ")}`);
  return parts.length === 0 ? "every recipient" : parts.join("; ");
}

function RuleRow({ rule, first, last, canEdit, onEdit }: { rule: RoutingRuleOut; first: boolean; last: boolean; canEdit: boolean; onEdit: () => void }) {
  const update = useUpdateRoutingRule();
  const remove = useDeleteRoutingRule();
  const confirm = useConfirm();
  const move = (position: number) =>
    update.mutate({ id: rule.id, body: { position } }, { onError: (e) => toast.error(errorMessage(e)) });
  return (
    <li className="flex flex-wrap items-start justify-between gap-3 rounded-md border p-3">
      <div className="grid min-w-0 gap-1">
        <div className="flex items-center gap-2">
          <span className="text-xs text-muted-foreground tabular-nums">#{rule.position + 1}</span>
          <span className="font-medium">{rule.name}</span>
          {rule.enabled ? null : <Badge variant="secondary">disabled</Badge>}
        </div>
        <p className="text-sm text-muted-foreground">Matches {matchText(rule.match)}</p>
        <p className="text-sm">
          {rule.chain.map((h, i) => (
            <span key={h.config_id}>
              {i > 0 ? <span className="text-muted-foreground"> → </span> : null}
              {providerLabels[h.provider]} “{h.display_name}”
              {h.status !== "active" ? <Badge variant="warning" className="ml-1">{h.status}: skipped</Badge> : null}
            </span>
          ))}
        </p>
      </div>
      {canEdit ? (
        <div className="flex items-center gap-1">
          <Switch
            checked={rule.enabled}
            aria-label={rule.enabled ? "Disable rule" : "Enable rule"}
            onCheckedChange={(enabled) =>
              update.mutate(
                { id: rule.id, body: { enabled } },
                { onSuccess: () => toast.success(`${rule.name} ${enabled ? "enabled" : "disabled"}`), onError: (e) => toast.error(errorMessage(e)) },
              )
            }
          />
          <Button variant="ghost" size="icon-sm" aria-label="Move up" disabled={first || update.isPending} onClick={() => move(rule.position - 1)}>
            <ArrowUp aria-hidden />
          </Button>
          <Button variant="ghost" size="icon-sm" aria-label="Move down" disabled={last || update.isPending} onClick={() => move(rule.position + 1)}>
            <ArrowDown aria-hidden />
          </Button>
          <Button variant="ghost" size="icon-sm" aria-label="Edit rule" onClick={onEdit}>
            <Pencil aria-hidden />
          </Button>
          <Button
            variant="ghost"
            size="icon-sm"
            aria-label="Delete rule"
            disabled={remove.isPending}
            onClick={async () => {
              const ok = await confirm({
                title: `Delete the rule “${rule.name}”?`,
                description: "Matching messages follow the next rule, or the default route. This cannot be undone.",
                confirmLabel: "Delete rule",
              });
              if (ok) remove.mutate(rule.id, { onSuccess: () => toast.success("Rule deleted"), onError: (e) => toast.error(errorMessage(e)) });
            }}
          >
            <Trash2 aria-hidden />
          </Button>
        </div>
      ) : null}
    </li>
  );
}

function Preview() {
  const [channel, setChannel] = useState<Channel>("sms");
  const [to, setTo] = useState("");
  const [platform, setPlatform] = useState<string>("android");
  const preview = usePreviewRoute();
  return (
    <Card>
      <CardHeader>
        <CardTitle>Preview a route</CardTitle>
        <CardDescription>Which providers a recipient would go through now, in failover order. Nothing is sent.</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        <form
          className="flex flex-wrap items-end gap-3"
          onSubmit={(e) => {
            e.preventDefault();
            if (!to.trim()) return;
            preview.mutate({ channel, to: to.trim(), ...(channel === "push" ? { platform: platform as (typeof pushPlatforms)[number] } : {}) });
          }}
        >
          <div className="grid gap-1.5">
            <Label className="text-xs text-muted-foreground">Channel</Label>
            <Select value={channel} onValueChange={(v) => setChannel(v as Channel)}>
              <SelectTrigger aria-label="Channel" className="w-36">
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                {channels.map((c) => (
                  <SelectItem key={c} value={c}>
                    {channelTitles[c]}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
          </div>
          {channel === "push" ? (
            <div className="grid gap-1.5">
              <Label className="text-xs text-muted-foreground">Platform</Label>
              <Select value={platform} onValueChange={setPlatform}>
                <SelectTrigger aria-label="Platform" className="w-32">
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  {pushPlatforms.map((p) => (
                    <SelectItem key={p} value={p}>
                      {p}
                    </SelectItem>
                  ))}
                </SelectContent>
              </Select>
            </div>
          ) : null}
          <div className="grid gap-1.5">
            <Label htmlFor="preview-to" className="text-xs text-muted-foreground">Recipient</Label>
            <Input
              id="preview-to"
              className="w-72"
              value={to}
              onChange={(e) => setTo(e.target.value)}
              placeholder={channel === "email" ? "ada@example.com" : channel === "push" ? "device token, player id or topic:news" : "+46701234567"}
            />
          </div>
          <Button type="submit" disabled={preview.isPending || !to.trim()}>
            Preview
          </Button>
        </form>
        {preview.isError ? (
          <p role="alert" className="text-sm text-destructive">
            {errorMessage(preview.error)}
          </p>
        ) : preview.data ? (
          <div className="grid gap-2 text-sm" aria-live="polite">
            <p className={preview.data.source === "none" ? "text-destructive" : undefined}>{preview.data.explanation}</p>
            {preview.data.recipient.country ? (
              <p className="text-muted-foreground">
                Country {preview.data.recipient.country} ({preview.data.recipient.calling_code})
              </p>
            ) : null}
            {preview.data.skipped.length > 0 ? (
              <ul className="text-muted-foreground">
                {preview.data.skipped.map((s) => (
                  <li key={s.config_id}>Skipped: {providerLabels[s.provider]} {s.display_name}</li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
      </CardContent>
    </Card>
  );
}

export function RoutingPanel({ canEdit }: { canEdit: boolean }) {
  const rules = useRoutingRules();
  const [editing, setEditing] = useState<{ rule?: RoutingRuleOut; channel: Channel } | null>(null);
  if (rules.isPending) return <Skeleton className="h-64" />;
  if (rules.isError) {
    return (
      <p role="alert" className="text-sm text-destructive">
        {errorMessage(rules.error)}
      </p>
    );
  }
  return (
    <div className="grid gap-4">
      <p className="text-sm text-muted-foreground">
        Rules are tried in order; the first whose match fits the recipient and has an active config decides the failover chain. A channel without rules uses Herald&apos;s defaults. Paused or failing configs are skipped.
        {canEdit ? null : " You can view the rules; admins edit them."}
      </p>
      {channels.map((channel) => {
        const list = rules.data.data.filter((r) => r.channel === channel);
        const info = rules.data.channels.find((c) => c.channel === channel);
        return (
          <Card key={channel}>
            <CardHeader className="flex flex-row items-start justify-between gap-4">
              <div className="grid gap-1">
                <CardTitle>{channelTitles[channel]}</CardTitle>
                <CardDescription>{info?.uses_defaults ? `Defaults: ${info.default_description}` : `${list.filter((r) => r.enabled).length} enabled rule(s)`}</CardDescription>
              </div>
              {canEdit ? (
                <Button variant="outline" size="sm" onClick={() => setEditing({ channel })}>
                  <Plus aria-hidden /> Add rule
                </Button>
              ) : null}
            </CardHeader>
            {list.length > 0 ? (
              <CardContent>
                <ol className="grid gap-2">
                  {list.map((rule, i) => (
                    <RuleRow key={rule.id} rule={rule} first={i === 0} last={i === list.length - 1} canEdit={canEdit} onEdit={() => setEditing({ rule, channel })} />
                  ))}
                </ol>
              </CardContent>
            ) : null}
          </Card>
        );
      })}
      <Preview />
      {editing ? <RuleDialog channel={editing.channel} rule={editing.rule} onClose={() => setEditing(null)} /> : null}
    </div>
  );
}
