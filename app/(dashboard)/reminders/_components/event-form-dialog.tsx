"use client";

import { DateTime } from "luxon";
import { Plus } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { toast } from "@/components/ui/toaster";
import { errorMessage } from "@/lib/hooks/api-client";
import { useLists } from "@/lib/hooks/use-lists";
import { useCreateEvent, usePresets } from "@/lib/hooks/use-reminders";
import { emptyRule, RuleFields, ruleProblem, toRuleBody, type RuleDraft } from "./rule-fields";
import { useViewerZone } from "./when";

/** A wall-clock time in a zone (from a datetime-local input) as ISO 8601 with its offset. */
export function zonedIso(local: string, zone: string): string | null {
  const d = DateTime.fromISO(local, { zone });
  return d.isValid ? d.toISO({ suppressMilliseconds: true }) : null;
}

/** Creating an event: when and where, who (a list or chosen contacts), and its reminders (presets in one click). */
export function EventFormDialog({ open, onOpenChange, onCreated }: { open: boolean; onOpenChange: (o: boolean) => void; onCreated: (id: string) => void }) {
  const create = useCreateEvent();
  const lists = useLists();
  const presets = usePresets();
  const [title, setTitle] = useState("");
  const [startsAt, setStartsAt] = useState("");
  const [zone, setZone] = useState(useViewerZone());
  const [location, setLocation] = useState("");
  const [audienceKind, setAudienceKind] = useState<"list" | "contacts">("list");
  const [listId, setListId] = useState<string>("");
  const [contactIds, setContactIds] = useState("");
  const [presetIds, setPresetIds] = useState<string[]>([]);
  const [rules, setRules] = useState<RuleDraft[]>([]);
  const [error, setError] = useState<string | null>(null);

  function reset() {
    setTitle("");
    setStartsAt("");
    setLocation("");
    setContactIds("");
    setPresetIds([]);
    setRules([]);
    setError(null);
  }

  function submit(e: React.FormEvent) {
    e.preventDefault();
    const starts = zonedIso(startsAt, zone);
    if (!title.trim()) return setError("Give the event a title");
    if (!starts) return setError("Choose when the event starts");
    const ids = contactIds.split(/[\s,;]+/).filter(Boolean);
    if (audienceKind === "list" && !listId) return setError("Choose the list or segment the reminders go to");
    if (audienceKind === "contacts" && ids.length === 0) return setError("Paste the contact ids the reminders go to");
    const problem = rules.map(ruleProblem).find((p) => p !== null);
    if (problem) return setError(problem);
    setError(null);
    create.mutate(
      {
        title: title.trim(),
        starts_at: starts,
        timezone: zone,
        ...(location.trim() ? { location: location.trim() } : {}),
        audience: audienceKind === "list" ? { kind: "list", list_id: listId } : { kind: "contacts", contact_ids: ids },
        preset_ids: presetIds,
        reminders: rules.map(toRuleBody),
      },
      {
        onSuccess: (ev) => {
          toast.success(`Scheduled ${ev.title}`);
          reset();
          onOpenChange(false);
          onCreated(ev.id);
        },
        onError: (err) => setError(errorMessage(err)),
      },
    );
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-h-[90vh] overflow-y-auto sm:max-w-2xl">
        <DialogHeader>
          <DialogTitle>New event</DialogTitle>
          <DialogDescription>Reminders are planned for every contact in the audience, in each contact&apos;s time zone where a reminder is set to a local time.</DialogDescription>
        </DialogHeader>
        <form id="event-form" onSubmit={submit} className="grid gap-3">
          <div className="grid gap-1.5">
            <Label htmlFor="event-title">Title</Label>
            <Input id="event-title" value={title} onChange={(e) => setTitle(e.target.value)} placeholder="e.g. Swedish Masters, round 1" />
          </div>
          <div className="grid gap-3 sm:grid-cols-2">
            <div className="grid gap-1.5">
              <Label htmlFor="event-start">Starts at</Label>
              <Input id="event-start" type="datetime-local" step={1} value={startsAt} onChange={(e) => setStartsAt(e.target.value)} />
            </div>
            <div className="grid gap-1.5">
              <Label htmlFor="event-zone">Time zone of the event</Label>
              <Input id="event-zone" value={zone} onChange={(e) => setZone(e.target.value)} placeholder="e.g. Europe/Stockholm" />
            </div>
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor="event-location">Location</Label>
            <Input id="event-location" value={location} onChange={(e) => setLocation(e.target.value)} placeholder="e.g. Boulehallen, Stockholm" />
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor="event-audience">Audience</Label>
            <div className="flex flex-wrap gap-2">
              <Select value={audienceKind} onValueChange={(v) => setAudienceKind(v as "list" | "contacts")}>
                <SelectTrigger id="event-audience" className="w-44">
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  <SelectItem value="list">A list or segment</SelectItem>
                  <SelectItem value="contacts">Chosen contacts</SelectItem>
                </SelectContent>
              </Select>
              {audienceKind === "list" ? (
                <Select value={listId || undefined} onValueChange={setListId}>
                  <SelectTrigger className="min-w-48 flex-1" aria-label="List or segment">
                    <SelectValue placeholder="Choose a list" />
                  </SelectTrigger>
                  <SelectContent>
                    {(lists.data?.data ?? []).map((l) => (
                      <SelectItem key={l.id} value={l.id}>
                        {l.name} ({l.count.toLocaleString("en")})
                      </SelectItem>
                    ))}
                  </SelectContent>
                </Select>
              ) : null}
            </div>
            {audienceKind === "contacts" ? (
              <Textarea aria-label="Contact ids" value={contactIds} onChange={(e) => setContactIds(e.target.value)} placeholder="e.g. 3f0c…, 9a1d… (contact ids, one per line)" rows={3} />
            ) : null}
          </div>
          <div className="grid gap-2">
            <span className="text-sm font-medium">Reminders</span>
            <div className="flex flex-wrap gap-2" role="group" aria-label="Presets">
              {(presets.data?.data ?? []).map((p) => {
                const on = presetIds.includes(p.id);
                return (
                  <Button
                    key={p.id}
                    type="button"
                    size="sm"
                    variant={on ? "default" : "outline"}
                    aria-pressed={on}
                    onClick={() => setPresetIds((ids) => (on ? ids.filter((i) => i !== p.id) : [...ids, p.id]))}
                  >
                    {p.name}
                  </Button>
                );
              })}
              <Button type="button" size="sm" variant="ghost" onClick={() => setRules((rs) => [...rs, emptyRule()])}>
                <Plus aria-hidden /> Custom reminder
              </Button>
            </div>
            {presets.data && presets.data.data.length === 0 ? <p className="text-sm text-muted-foreground">No presets yet: add one under Presets, or write a custom reminder.</p> : null}
            {rules.map((r, i) => (
              <RuleFields key={i} index={i} value={r} onChange={(v) => setRules((rs) => rs.map((x, j) => (j === i ? v : x)))} onRemove={() => setRules((rs) => rs.filter((_, j) => j !== i))} />
            ))}
          </div>
          {error ? (
            <p className="text-sm text-destructive" role="alert">
              {error}
            </p>
          ) : null}
        </form>
        <DialogFooter>
          <Button type="submit" form="event-form" disabled={create.isPending}>
            {create.isPending ? "Scheduling…" : "Create event"}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
