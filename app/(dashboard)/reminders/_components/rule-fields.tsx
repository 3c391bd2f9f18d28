"use client";

import { X } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { useTemplates } from "@/lib/hooks/use-templates";

export const channelLabels = { email: "Email", sms: "SMS", push: "Push", whatsapp: "WhatsApp" } as const;
export type ChannelName = keyof typeof channelLabels;

/** A reminder as the form edits it; `toRuleBody` makes the API body. */
export interface RuleDraft {
  offset: string;
  channels: Partial<Record<ChannelName, string>>;
  policy: "all" | "first_available";
  quietSms: boolean;
}

export const emptyRule = (): RuleDraft => ({ offset: "-24h", channels: {}, policy: "all", quietSms: false });

export function ruleProblem(r: RuleDraft): string | null {
  if (!/^[+-](\d+d)?(\d+h)?(\d+m)?$/.test(r.offset.trim()) || r.offset.trim().length < 3) return "Write the time as a signed duration, e.g. -24h, -2h or -7d";
  const chosen = Object.entries(r.channels);
  if (chosen.length === 0) return "Choose at least one channel";
  if (chosen.some(([, t]) => !t)) return "Choose a template for each channel";
  return null;
}

export function toRuleBody(r: RuleDraft) {
  const channels = (Object.entries(r.channels) as [ChannelName, string][]).map(([channel, template]) => ({ channel, template }));
  return {
    offset: r.offset.trim(),
    channels,
    channel_policy: r.policy,
    ...(r.quietSms && r.channels.sms ? { quiet_hours: { start: "21:00", end: "08:00", channels: ["sms"] } } : {}),
  };
}

/** One custom reminder: when, which channels with which template, and the channel policy. */
export function RuleFields({ value, onChange, onRemove, index }: { value: RuleDraft; onChange: (r: RuleDraft) => void; onRemove?: () => void; index: number }) {
  const templates = useTemplates();
  const options = templates.data ?? [];
  const id = `rule-${index}`;
  return (
    <fieldset className="grid gap-2 rounded-md border p-3">
      <legend className="px-1 text-sm font-medium">Reminder {index + 1}</legend>
      <div className="flex flex-wrap items-end gap-2">
        <div className="grid gap-1">
          <Label htmlFor={`${id}-offset`}>When (from the start)</Label>
          <Input id={`${id}-offset`} className="w-32" value={value.offset} onChange={(e) => onChange({ ...value, offset: e.target.value })} placeholder="e.g. -24h" />
        </div>
        <div className="grid gap-1">
          <Label htmlFor={`${id}-policy`}>Channels</Label>
          <Select value={value.policy} onValueChange={(v) => onChange({ ...value, policy: v as RuleDraft["policy"] })}>
            <SelectTrigger id={`${id}-policy`} className="w-48">
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              <SelectItem value="all">All chosen channels</SelectItem>
              <SelectItem value="first_available">First available, in order</SelectItem>
            </SelectContent>
          </Select>
        </div>
        {onRemove ? (
          <Button type="button" variant="ghost" size="icon" aria-label={`Remove reminder ${index + 1}`} onClick={onRemove}>
            <X aria-hidden />
          </Button>
        ) : null}
      </div>
      {(Object.keys(channelLabels) as ChannelName[]).map((ch) => {
        const on = value.channels[ch] !== undefined;
        return (
          <div key={ch} className="grid gap-2 sm:grid-cols-[8rem_1fr] sm:items-center">
            <label className="flex items-center gap-2 text-sm">
              <Checkbox
                checked={on}
                onCheckedChange={(c) => {
                  const next = { ...value.channels };
                  if (c) next[ch] = options.find((t) => t.channels.includes(ch) && t.published_version !== null)?.key ?? "";
                  else delete next[ch];
                  onChange({ ...value, channels: next });
                }}
                aria-label={`${channelLabels[ch]} for reminder ${index + 1}`}
              />
              {channelLabels[ch]}
            </label>
            {on ? (
              <Select value={value.channels[ch] || undefined} onValueChange={(v) => onChange({ ...value, channels: { ...value.channels, [ch]: v } })}>
                <SelectTrigger aria-label={`${channelLabels[ch]} template for reminder ${index + 1}`}>
                  <SelectValue placeholder="Choose a template" />
                </SelectTrigger>
                <SelectContent>
                  {options
                    .filter((t) => t.channels.includes(ch))
                    .map((t) => (
                      <SelectItem key={t.key} value={t.key}>
                        {t.name} {t.published_version === null ? "(not published)" : ""}
                      </SelectItem>
                    ))}
                </SelectContent>
              </Select>
            ) : null}
          </div>
        );
      })}
      {value.channels.sms !== undefined ? (
        <label className="flex items-center gap-2 text-sm">
          <Checkbox checked={value.quietSms} onCheckedChange={(c) => onChange({ ...value, quietSms: c === true })} aria-label={`No SMS between 21:00 and 08:00 for reminder ${index + 1}`} />
          No SMS between 21:00 and 08:00 in the recipient&apos;s time zone
        </label>
      ) : null}
    </fieldset>
  );
}
