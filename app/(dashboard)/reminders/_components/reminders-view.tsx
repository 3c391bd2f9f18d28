"use client";

import { BellRing, CalendarClock, Plus, Trash2 } from "lucide-react";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Skeleton } from "@/components/ui/skeleton";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { toast } from "@/components/ui/toaster";
import { errorMessage } from "@/lib/hooks/api-client";
import { useApplyPreset, useCreatePreset, useDeletePreset, useEvents, usePresets, useRuns } from "@/lib/hooks/use-reminders";
import { useUrlState } from "@/lib/hooks/use-url-state";
import { EventDrawer } from "./event-drawer";
import { EventFormDialog } from "./event-form-dialog";
import { emptyRule, RuleFields, ruleProblem, toRuleBody } from "./rule-fields";
import { RunProgress } from "./run-progress";
import { useFormat } from "@/components/format-provider";
import { DualTime, relative, useViewerZone } from "./when";

const keys = ["tab", "event", "dialog", "when"] as const;
const tabs = ["events", "timeline", "runs", "presets"] as const;

export function RemindersView({ canWrite }: { canWrite: boolean }) {
  const [url, setUrl] = useUrlState(keys);
  const tab = (tabs as readonly string[]).includes(url.tab ?? "") ? url.tab! : "events";
  return (
    <div className="grid gap-4">
      {canWrite ? (
        <div className="flex flex-wrap gap-2">
          <Button onClick={() => setUrl({ dialog: "new-event" })}>
            <Plus aria-hidden /> New event
          </Button>
        </div>
      ) : null}
      <Tabs value={tab} onValueChange={(v) => setUrl({ tab: v === "events" ? null : v }, { push: true })}>
        <TabsList className="max-w-full overflow-x-auto">
          <TabsTrigger value="events">Events</TabsTrigger>
          <TabsTrigger value="timeline">Upcoming firings</TabsTrigger>
          <TabsTrigger value="runs">Run history</TabsTrigger>
          <TabsTrigger value="presets">Presets</TabsTrigger>
        </TabsList>
        <TabsContent value="events">
          <EventsList when={url.when === "past" ? "past" : "upcoming"} onWhen={(w) => setUrl({ when: w === "upcoming" ? null : w })} onOpen={(id) => setUrl({ event: id }, { push: true })} />
        </TabsContent>
        <TabsContent value="timeline">
          <Timeline onOpen={(id) => setUrl({ event: id }, { push: true })} />
        </TabsContent>
        <TabsContent value="runs">
          <RunHistory onOpen={(id) => setUrl({ event: id }, { push: true })} />
        </TabsContent>
        <TabsContent value="presets">
          <Presets canWrite={canWrite} />
        </TabsContent>
      </Tabs>
      {canWrite ? <EventFormDialog open={url.dialog === "new-event"} onOpenChange={(o) => !o && setUrl({ dialog: null })} onCreated={(id) => setUrl({ dialog: null, event: id })} /> : null}
      <EventDrawer id={url.event} canWrite={canWrite} onClose={() => setUrl({ event: null })} />
    </div>
  );
}

function EventsList({ when, onWhen, onOpen }: { when: "upcoming" | "past"; onWhen: (w: "upcoming" | "past") => void; onOpen: (id: string) => void }) {
  const events = useEvents({ when });
  const rows = events.data?.data ?? [];
  return (
    <div className="grid gap-3">
      <div className="flex gap-2" role="group" aria-label="Which events">
        {(["upcoming", "past"] as const).map((w) => (
          <Button key={w} size="sm" variant={when === w ? "default" : "outline"} aria-pressed={when === w} onClick={() => onWhen(w)}>
            {w === "upcoming" ? "Upcoming" : "Past"}
          </Button>
        ))}
      </div>
      {events.isPending ? (
        <Skeleton className="h-24 w-full" />
      ) : events.isError ? (
        <p className="text-sm text-destructive">{errorMessage(events.error)}</p>
      ) : rows.length === 0 ? (
        <EmptyState
          icon={CalendarClock}
          title={when === "upcoming" ? "No upcoming events" : "No past events"}
          description="Create an event (a competition, a meeting, an exam), choose who should hear about it, and pick reminders such as “24 h before: email + SMS + push”."
        />
      ) : (
        <Card>
          <CardContent className="p-0">
            <ul className="divide-y">
              {rows.map((e) => (
                <li key={e.id}>
                  <button type="button" className="grid w-full gap-1 px-4 py-3 text-left hover:bg-muted/50 focus-visible:bg-muted/50 focus-visible:outline-none" onClick={() => onOpen(e.id)}>
                    <span className="flex flex-wrap items-center gap-2 font-medium">
                      <span className="break-words">{e.title}</span>
                      {e.status !== "scheduled" ? <Badge variant={e.status === "cancelled" ? "destructive" : "warning"}>{e.status}</Badge> : null}
                      <span className="text-sm font-normal text-muted-foreground">{e.reminders_count} reminders</span>
                    </span>
                    <span className="text-sm text-muted-foreground">
                      <DualTime iso={e.starts_at} eventZone={e.timezone} />
                    </span>
                    <span className="text-sm">
                      {e.next_firing ? (
                        <>
                          Next firing: {e.next_firing.rule_name}, {relative(e.next_firing.at)}
                        </>
                      ) : (
                        <span className="text-muted-foreground">No firing planned</span>
                      )}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          </CardContent>
        </Card>
      )}
    </div>
  );
}

function Timeline({ onOpen }: { onOpen: (id: string) => void }) {
  const fmt = useFormat();
  const dayOf = (iso: string) => `${new Intl.DateTimeFormat(fmt.prefs.locale, { weekday: "long", timeZone: fmt.prefs.timeZone }).format(new Date(iso))}, ${fmt.date(iso)}`;
  const runs = useRuns({ upcoming: true });
  const rows = runs.data?.data ?? [];
  if (runs.isPending) return <Skeleton className="h-24 w-full" />;
  if (runs.isError) return <p className="text-sm text-destructive">{errorMessage(runs.error)}</p>;
  if (rows.length === 0) return <EmptyState icon={BellRing} title="No firings ahead" description="Reminders of upcoming events show here, day by day, in your time zone." />;
  const days = new Map<string, typeof rows>();
  for (const r of rows) days.set(dayOf(r.scheduled_at), [...(days.get(dayOf(r.scheduled_at)) ?? []), r]);
  return (
    <ol className="grid gap-4">
      {[...days.entries()].map(([day, list]) => (
        <li key={day} className="grid gap-2">
          <h3 className="text-sm font-semibold">{day}</h3>
          <ul className="grid gap-2 border-l pl-4">
            {list.map((r) => (
              <li key={r.id}>
                <button type="button" className="grid gap-0.5 text-left text-sm hover:underline" onClick={() => onOpen(r.event_id)}>
                  <span className="font-medium">
                    {fmt.time(r.scheduled_at)} {fmt.zone()} · {r.event_title}
                  </span>
                  <span className="text-muted-foreground">
                    {r.rule_name} · {r.counts.planned.toLocaleString("en")} sends · {relative(r.scheduled_at)}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ol>
  );
}

function RunHistory({ onOpen }: { onOpen: (id: string) => void }) {
  const viewerZone = useViewerZone();
  const runs = useRuns({});
  const rows = (runs.data?.data ?? []).filter((r) => r.status !== "scheduled");
  if (runs.isPending) return <Skeleton className="h-24 w-full" />;
  if (runs.isError) return <p className="text-sm text-destructive">{errorMessage(runs.error)}</p>;
  if (rows.length === 0) return <EmptyState icon={BellRing} title="No runs yet" description="Each firing of a reminder is a run; its progress and figures show here." />;
  return (
    <ul className="grid gap-3">
      {rows.map((r) => (
        <li key={r.id} className="grid gap-2 rounded-md border p-3">
          <button type="button" className="grid gap-0.5 text-left text-sm hover:underline" onClick={() => onOpen(r.event_id)}>
            <span className="font-medium">
              {r.event_title} · {r.rule_name}
            </span>
            <span className="text-muted-foreground">
              <DualTime iso={r.scheduled_at} eventZone={viewerZone} />
            </span>
          </button>
          <RunProgress run={r} />
        </li>
      ))}
    </ul>
  );
}

function Presets({ canWrite }: { canWrite: boolean }) {
  const presets = usePresets();
  const create = useCreatePreset();
  const remove = useDeletePreset();
  const apply = useApplyPreset();
  const upcoming = useEvents({ when: "upcoming" });
  const [name, setName] = useState("");
  const [rule, setRule] = useState(emptyRule());
  const [error, setError] = useState<string | null>(null);
  const [target, setTarget] = useState<Record<string, string[]>>({});

  function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!name.trim()) return setError("Give the preset a name");
    const problem = ruleProblem(rule);
    if (problem) return setError(problem);
    setError(null);
    create.mutate(
      { name: name.trim(), rule: { name: name.trim(), ...toRuleBody(rule) } },
      {
        onSuccess: (p) => {
          toast.success(`Saved ${p.name}`);
          setName("");
          setRule(emptyRule());
        },
        onError: (err) => setError(errorMessage(err)),
      },
    );
  }

  return (
    <div className="grid gap-4">
      {(presets.data?.data ?? []).length === 0 && !presets.isPending ? (
        <EmptyState icon={BellRing} title="No presets yet" description="A preset is a reminder you use often, such as “24 h before: email + SMS + push”; apply it to many events at once." />
      ) : (
        <ul className="grid gap-2">
          {(presets.data?.data ?? []).map((p) => (
            <li key={p.id} className="grid gap-2 rounded-md border p-3 text-sm">
              <div className="flex flex-wrap items-center gap-2">
                <span className="font-medium">{p.name}</span>
                <span className="text-muted-foreground">{p.rule.channels.map((c) => c.channel).join(" + ")}</span>
                {canWrite ? (
                  <Button variant="ghost" size="sm" aria-label={`Delete ${p.name}`} onClick={() => remove.mutate(p.id, { onError: (err) => toast.error(errorMessage(err)) })}>
                    <Trash2 aria-hidden />
                  </Button>
                ) : null}
              </div>
              {canWrite && (upcoming.data?.data ?? []).length > 0 ? (
                <div className="flex flex-wrap items-center gap-2">
                  <span className="text-muted-foreground">Apply to:</span>
                  {(upcoming.data?.data ?? []).map((e) => {
                    const on = (target[p.id] ?? []).includes(e.id);
                    return (
                      <Button
                        key={e.id}
                        size="sm"
                        variant={on ? "default" : "outline"}
                        aria-pressed={on}
                        onClick={() => setTarget((t) => ({ ...t, [p.id]: on ? (t[p.id] ?? []).filter((x) => x !== e.id) : [...(t[p.id] ?? []), e.id] }))}
                      >
                        {e.title}
                      </Button>
                    );
                  })}
                  <Button
                    size="sm"
                    disabled={!(target[p.id] ?? []).length || apply.isPending}
                    onClick={() =>
                      apply.mutate(
                        { id: p.id, eventIds: target[p.id] ?? [] },
                        { onSuccess: (r) => toast.success(`Applied to ${r.applied.length} events${r.already_applied.length ? ` (${r.already_applied.length} had it already)` : ""}`), onError: (err) => toast.error(errorMessage(err)) },
                      )
                    }
                  >
                    Apply
                  </Button>
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {canWrite ? (
        <form onSubmit={submit} className="grid gap-3 rounded-md border p-3">
          <h3 className="text-sm font-semibold">New preset</h3>
          <div className="grid gap-1.5">
            <Label htmlFor="preset-name">Name</Label>
            <Input id="preset-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. 24 h before: email + SMS + push" />
          </div>
          <RuleFields index={0} value={rule} onChange={setRule} />
          {error ? (
            <p className="text-sm text-destructive" role="alert">
              {error}
            </p>
          ) : null}
          <Button type="submit" className="justify-self-start" disabled={create.isPending}>
            {create.isPending ? "Saving…" : "Save preset"}
          </Button>
        </form>
      ) : null}
    </div>
  );
}
