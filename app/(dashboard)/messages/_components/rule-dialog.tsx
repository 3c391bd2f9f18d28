"use client";

import { ArrowDown, ArrowUp, X } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Switch } from "@/components/ui/switch";
import { toast } from "@/components/ui/toaster";
import type { Channel } from "@/db/schema/messages";
import { ApiClientError, errorMessage } from "@/lib/hooks/api-client";
import { useProviderConfigs } from "@/lib/hooks/use-provider-configs";
import { useCreateRoutingRule, useUpdateRoutingRule } from "@/lib/hooks/use-routing-rules";
import { providerChannels, providerLabels } from "@/lib/validations/provider-configs";
import { matchKindsByChannel, type RoutingRuleOut } from "@/lib/validations/routing-rules";

const matchLabels: Record<string, { label: string; placeholder: string }> = {
  country_codes: { label: "Countries (ISO codes)", placeholder: "e.g. SE, NO" },
  number_prefixes: { label: "Number prefixes", placeholder: "e.g. +46, +4670" },
  email_domains: { label: "Email domains", placeholder: "e.g. example.com, *.example.org" },
  platforms: { label: "Platforms", placeholder: "e.g. ios, android, web" },
};

const splitList = (v: string) =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

export function RuleDialog({ channel, rule, onClose }: { channel: Channel; rule?: RoutingRuleOut; onClose: () => void }) {
  const configs = useProviderConfigs();
  const create = useCreateRoutingRule();
  const update = useUpdateRoutingRule();
  const [name, setName] = useState(rule?.name ?? "");
  const [enabled, setEnabled] = useState(rule?.enabled ?? true);
  const [match, setMatch] = useState<Record<string, string>>(
    Object.fromEntries(matchKindsByChannel[channel].map((k) => [k, (rule?.match[k] ?? []).join(", ")])),
  );
  const [chain, setChain] = useState<string[]>(rule?.chain.map((h) => h.config_id) ?? []);
  const [errors, setErrors] = useState<{ path?: string; message: string }[]>([]);
  const candidates = (configs.data ?? []).filter((c) => providerChannels[c.provider] === channel && c.status !== "decommissioned");
  const byId = new Map((configs.data ?? []).map((c) => [c.id, c]));
  const pending = create.isPending || update.isPending;

  const move = (i: number, d: -1 | 1) =>
    setChain((c) => {
      const next = [...c];
      const [item] = next.splice(i, 1);
      next.splice(i + d, 0, item!);
      return next;
    });

  const submit = () => {
    const m: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(match)) {
      const list = splitList(v);
      if (list.length > 0) m[k] = list;
    }
    const onError = (e: unknown) => {
      if (e instanceof ApiClientError && Array.isArray(e.details)) setErrors(e.details as { path?: string; message: string }[]);
      else setErrors([]);
      toast.error(errorMessage(e));
    };
    const onSuccess = () => {
      toast.success(rule ? "Rule saved" : "Rule added");
      onClose();
    };
    if (rule) update.mutate({ id: rule.id, body: { name, enabled, match: m, chain } }, { onSuccess, onError });
    else create.mutate({ channel, name, enabled, match: m, chain }, { onSuccess, onError });
  };

  return (
    <Dialog open onOpenChange={(open) => (open ? null : onClose())}>
      <DialogContent className="sm:max-w-lg">
        <DialogHeader>
          <DialogTitle>{rule ? "Edit routing rule" : `New ${channel} routing rule`}</DialogTitle>
          <DialogDescription>Leave every match field empty for a catch-all. The chain is tried in order; inactive configs are skipped.</DialogDescription>
        </DialogHeader>
        <form
          className="grid gap-4"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <div className="grid gap-1.5">
            <Label htmlFor="rule-name">Name</Label>
            <Input id="rule-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Sweden" required maxLength={100} />
          </div>
          {matchKindsByChannel[channel].map((kind) => (
            <div key={kind} className="grid gap-1.5">
              <Label htmlFor={`rule-${kind}`}>{matchLabels[kind]!.label}</Label>
              <Input
                id={`rule-${kind}`}
                value={match[kind] ?? ""}
                onChange={(e) => setMatch((m) => ({ ...m, [kind]: e.target.value }))}
                placeholder={matchLabels[kind]!.placeholder}
              />
            </div>
          ))}
          <div className="grid gap-2">
            <Label>Failover chain</Label>
            {chain.length === 0 ? <p className="text-sm text-muted-foreground">Add at least one config.</p> : null}
            <ol className="grid gap-1">
              {chain.map((id, i) => {
                const c = byId.get(id);
                return (
                  <li key={id} className="flex items-center justify-between gap-2 rounded-md border px-2 py-1 text-sm">
                    <span>
                      {i + 1}. {c ? `${providerLabels[c.provider]} “${c.display_name}” (${c.status})` : id}
                    </span>
                    <span className="flex">
                      <Button type="button" variant="ghost" size="icon-sm" aria-label="Earlier" disabled={i === 0} onClick={() => move(i, -1)}>
                        <ArrowUp aria-hidden />
                      </Button>
                      <Button type="button" variant="ghost" size="icon-sm" aria-label="Later" disabled={i === chain.length - 1} onClick={() => move(i, 1)}>
                        <ArrowDown aria-hidden />
                      </Button>
                      <Button type="button" variant="ghost" size="icon-sm" aria-label="Remove" onClick={() => setChain((ch) => ch.filter((x) => x !== id))}>
                        <X aria-hidden />
                      </Button>
                    </span>
                  </li>
                );
              })}
            </ol>
            {candidates.some((c) => !chain.includes(c.id)) ? (
              <Select value="" onValueChange={(id) => setChain((ch) => [...ch, id])}>
                <SelectTrigger aria-label="Add a config to the chain" className="w-full">
                  <SelectValue placeholder="Add a config…" />
                </SelectTrigger>
                <SelectContent>
                  {candidates
                    .filter((c) => !chain.includes(c.id))
                    .map((c) => (
                      <SelectItem key={c.id} value={c.id}>
                        {providerLabels[c.provider]} “{c.display_name}” ({c.status})
                      </SelectItem>
                    ))}
                </SelectContent>
              </Select>
            ) : candidates.length === 0 ? (
              <p className="text-sm text-muted-foreground">No {channel} provider configs yet: add one on the Providers page.</p>
            ) : null}
          </div>
          <div className="flex items-center gap-2">
            <Switch id="rule-enabled" checked={enabled} onCheckedChange={setEnabled} />
            <Label htmlFor="rule-enabled">Enabled</Label>
          </div>
          {errors.length > 0 ? (
            <ul role="alert" className="text-sm text-destructive">
              {errors.map((e, i) => (
                <li key={i}>
                  {e.path ? <span className="font-mono">{e.path}: </span> : null}
                  {e.message}
                </li>
              ))}
            </ul>
          ) : null}
          <DialogFooter>
            <Button type="button" variant="outline" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" disabled={pending || chain.length === 0 || !name.trim()}>
              {rule ? "Save" : "Add rule"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
