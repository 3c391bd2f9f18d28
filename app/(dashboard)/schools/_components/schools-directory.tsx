"use client";

import { Check, Lock, MapPin, Plus, School, Search, Upload, X } from "lucide-react";
import { useEffect } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Input } from "@/components/ui/input";
import { Pagination } from "@/components/ui/pagination";
import { Skeleton } from "@/components/ui/skeleton";
import { errorMessage } from "@/lib/hooks/api-client";
import { useSchoolSearch } from "@/lib/hooks/use-schools";
import { joinList, splitList, useUrlInput, useUrlState } from "@/lib/hooks/use-url-state";
import { schoolTypeLabels, type SchoolType } from "@/lib/validations/schools";
import { HighlightedText } from "./highlighted-text";
import { ImportSchoolsDialog } from "./import-schools-dialog";
import { SchoolDetailSheet } from "./school-detail-sheet";
import { SchoolFormDialog } from "./school-form-dialog";

const PER_PAGE = 20;

export function SchoolsDirectory({ tenantSlug, canWrite }: { tenantSlug: string; canWrite: boolean }) {
  // Search, facets, page, the open school and dialog live in the URL: linkable, and Back works.
  const [url, setUrl] = useUrlState(["q", "city", "type", "page", "school", "dialog"] as const);
  const [input, setInput] = useUrlInput(url.q);
  const q = url.q ?? "";
  // The box writes to the URL after a pause (replacing history: typing is not a step to go back to).
  useEffect(() => {
    const t = setTimeout(() => {
      if (input.trim() !== q) setUrl({ q: input.trim() || null, page: null });
    }, 150);
    return () => clearTimeout(t);
  }, [input, q, setUrl]);
  const cities = splitList(url.city);
  const types = splitList(url.type);
  const page = Math.max(1, Number(url.page ?? 1) || 1);
  const setPage = (p: number) => setUrl({ page: p > 1 ? String(p) : null }, { push: true });
  const setFacet = (key: "city" | "type", values: string[]) => setUrl({ [key]: joinList(values), page: null }, { push: true });
  const selected = url.school;
  const setSelected = (id: string | null) => setUrl({ school: id }, { push: true });
  const creating = url.dialog === "new";
  const setCreating = (o: boolean) => setUrl({ dialog: o ? "new" : null }, { push: o });
  const importing = url.dialog === "import";
  const setImporting = (o: boolean) => setUrl({ dialog: o ? "import" : null }, { push: o });

  const search = useSchoolSearch({ tenant: tenantSlug, q, cities, types, page, perPage: PER_PAGE });
  const data = search.data;
  const filtered = q !== "" || cities.length > 0 || types.length > 0;

  return (
    <div className="grid gap-4">
      <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
        <div className="relative flex-1">
          <Search className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-muted-foreground" aria-hidden />
          <Input
            type="search"
            value={input}
            onChange={(e) => setInput(e.target.value)}
            placeholder="e.g. kadikoy, ankra, göteborg"
            className="pl-9"
            aria-label="Search schools by name, city, district or tag"
          />
        </div>
        {canWrite ? (
          <div className="flex gap-2">
            <Button variant="outline" onClick={() => setImporting(true)}>
              <Upload aria-hidden /> Import CSV
            </Button>
            <Button onClick={() => setCreating(true)}>
              <Plus aria-hidden /> Add school
            </Button>
          </div>
        ) : null}
      </div>

      <div className="grid gap-4 md:grid-cols-[14rem_minmax(0,1fr)]">
        <aside className="grid content-start gap-4" aria-label="Filters">
          <FacetList title="City" active={cities} onChange={(v) => setFacet("city", v)} items={data?.facets.city ?? []} label={(v) => v} />
          <FacetList title="Type" active={types} onChange={(v) => setFacet("type", v)} items={data?.facets.type ?? []} label={(v) => schoolTypeLabels[v as SchoolType] ?? v} />
        </aside>

        <section aria-live="polite" aria-busy={search.isFetching}>
          {search.isPending ? (
            <div className="grid gap-2">
              {Array.from({ length: 5 }, (_, i) => (
                <Skeleton key={i} className="h-16 w-full" />
              ))}
            </div>
          ) : search.isError ? (
            <p className="text-sm text-destructive">{errorMessage(search.error)}</p>
          ) : data && data.data.length === 0 ? (
            <EmptyState
              icon={School}
              title={filtered ? "No schools match" : "No schools yet"}
              description={filtered ? "Try fewer words or clear the filters." : canWrite ? "Add a school or import a CSV to build the directory." : "Schools appear here once your team adds them."}
            />
          ) : data ? (
            <Card>
              <CardContent className="p-0">
                <ul className="divide-y">
                  {data.data.map((s) => (
                    <li key={s.id}>
                      <button
                        type="button"
                        data-row-id={s.id}
                        onClick={() => setSelected(s.id)}
                        className="flex w-full min-w-0 flex-col gap-1 px-4 py-3 text-left outline-none hover:bg-muted/50 focus-visible:bg-muted/50 focus-visible:ring-2 focus-visible:ring-ring focus-visible:ring-inset"
                      >
                        <span className="flex flex-wrap items-center gap-2 font-medium">
                          <HighlightedText segments={s.highlights.name} fallback={s.name} />
                          <Badge variant="outline">{schoolTypeLabels[s.type]}</Badge>
                          {!s.is_public ? (
                            <Badge variant="secondary">
                              <Lock aria-hidden className="size-3" /> Private
                            </Badge>
                          ) : null}
                        </span>
                        <span className="flex flex-wrap items-center gap-1 text-sm text-muted-foreground">
                          <MapPin aria-hidden className="size-3.5" />
                          <HighlightedText segments={s.highlights.city} fallback={s.city} />
                          {s.district ? (
                            <>
                              {" · "}
                              <HighlightedText segments={s.highlights.district} fallback={s.district} />
                            </>
                          ) : null}
                          {s.distance_km !== null ? ` · ${s.distance_km.toFixed(1)} km` : null}
                        </span>
                        {s.highlights.tags ? (
                          <span className="text-xs text-muted-foreground">
                            Tags: <HighlightedText segments={s.highlights.tags} fallback={s.tags.join(", ")} />
                          </span>
                        ) : null}
                      </button>
                    </li>
                  ))}
                </ul>
              </CardContent>
            </Card>
          ) : null}
          {data && data.total > 0 ? (
            <Pagination
              summary={`${(page - 1) * PER_PAGE + 1}–${Math.min(page * PER_PAGE, data.total)} of ${data.total}`}
              previous={page > 1 ? () => setPage(page - 1) : null}
              next={page * PER_PAGE < Math.min(data.total, 10_000) ? () => setPage(page + 1) : null}
              pending={search.isFetching}
            />
          ) : null}
        </section>
      </div>

      <SchoolDetailSheet id={selected} onClose={() => setSelected(null)} canWrite={canWrite} />
      {canWrite ? <SchoolFormDialog open={creating} onOpenChange={setCreating} school={null} /> : null}
      {canWrite ? <ImportSchoolsDialog open={importing} onOpenChange={setImporting} /> : null}
    </div>
  );
}

function FacetList({
  title,
  items,
  active,
  onChange,
  label,
}: {
  title: string;
  items: { value: string; count: number }[];
  active: string[];
  onChange: (v: string[]) => void;
  label: (v: string) => string;
}) {
  // Counts ignore this facet's own choice (the API's disjunctive facets), so every value stays
  // visible and can be added; a chosen value the counts lack is still listed, to unpick it.
  const shown = [...items, ...active.filter((a) => !items.some((i) => i.value.toLowerCase() === a.toLowerCase())).map((value) => ({ value, count: 0 }))];
  const isOn = (v: string) => active.some((a) => a.toLowerCase() === v.toLowerCase());
  const headingId = `facet-${title.toLowerCase()}`;
  return (
    <div className="grid gap-1" role="group" aria-labelledby={headingId}>
      <div className="flex items-center justify-between">
        <h2 id={headingId} className="text-sm font-medium">
          {title}
        </h2>
        {active.length > 0 ? (
          <Button variant="ghost" size="sm" onClick={() => onChange([])} aria-label={`Clear the ${title.toLowerCase()} filter`}>
            <X aria-hidden /> Clear
          </Button>
        ) : null}
      </div>
      {shown.length === 0 ? (
        <p className="text-xs text-muted-foreground">No values</p>
      ) : (
        <ul className="grid gap-0.5">
          {shown.map((f) => (
            <li key={f.value}>
              <button
                type="button"
                aria-pressed={isOn(f.value)}
                onClick={() => onChange(isOn(f.value) ? active.filter((a) => a.toLowerCase() !== f.value.toLowerCase()) : [...active, f.value])}
                className="flex w-full items-center justify-between gap-2 rounded-md px-2 py-1 text-left text-sm outline-none hover:bg-muted focus-visible:ring-[3px] focus-visible:ring-ring/50 aria-pressed:bg-muted aria-pressed:font-medium"
              >
                <span className="flex min-w-0 items-center gap-2">
                  <span aria-hidden className={`flex size-3.5 shrink-0 items-center justify-center rounded-sm border ${isOn(f.value) ? "border-primary bg-primary text-primary-foreground" : "border-input"}`}>
                    {isOn(f.value) ? <Check className="size-3" /> : null}
                  </span>
                  <span className="break-words">{label(f.value)}</span>
                </span>
                <span className="text-xs text-muted-foreground tabular-nums">{f.count}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
