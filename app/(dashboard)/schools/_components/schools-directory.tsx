"use client";

import { Lock, MapPin, Plus, School, Search, Upload, X } from "lucide-react";
import { useEffect, useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Input } from "@/components/ui/input";
import { Pagination } from "@/components/ui/pagination";
import { Skeleton } from "@/components/ui/skeleton";
import { errorMessage } from "@/lib/hooks/api-client";
import { useSchoolSearch } from "@/lib/hooks/use-schools";
import { schoolTypeLabels, type SchoolType } from "@/lib/validations/schools";
import { HighlightedText } from "./highlighted-text";
import { ImportSchoolsDialog } from "./import-schools-dialog";
import { SchoolDetailSheet } from "./school-detail-sheet";
import { SchoolFormDialog } from "./school-form-dialog";

const PER_PAGE = 20;

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

export function SchoolsDirectory({ tenantSlug, canWrite }: { tenantSlug: string; canWrite: boolean }) {
  const [input, setInput] = useState("");
  const q = useDebounced(input.trim(), 150);
  const [city, setCity] = useState<string | null>(null);
  const [type, setType] = useState<string | null>(null);
  // The page resets whenever the query or a facet changes: keep it with the filters it belongs to.
  const filterKey = JSON.stringify([q, city, type]);
  const [paging, setPaging] = useState({ key: filterKey, page: 1 });
  const page = paging.key === filterKey ? paging.page : 1;
  const setPage = (p: number) => setPaging({ key: filterKey, page: p });
  const [selected, setSelected] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [importing, setImporting] = useState(false);

  const search = useSchoolSearch({ tenant: tenantSlug, q, city, type, page, perPage: PER_PAGE });
  const data = search.data;
  const filtered = q !== "" || city !== null || type !== null;

  return (
    <div className="grid gap-4">
      <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
        <div className="relative flex-1">
          <Search className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-muted-foreground" aria-hidden />
          <Input
            type="search"
            value={input}
            onChange={(e) => setInput(e.target.value)}
            placeholder="Search by name, city, district or tag — e.g. kadikoy, ankra, göteborg"
            className="pl-9"
            aria-label="Search schools"
            autoFocus
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

      <div className="grid gap-4 md:grid-cols-[14rem_1fr]">
        <aside className="grid content-start gap-4" aria-label="Filters">
          <FacetList title="City" active={city} onChange={setCity} items={data?.facets.city ?? []} label={(v) => v} />
          <FacetList title="Type" active={type} onChange={setType} items={data?.facets.type ?? []} label={(v) => schoolTypeLabels[v as SchoolType] ?? v} />
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
                      <button type="button" onClick={() => setSelected(s.id)} className="flex w-full flex-col gap-1 px-4 py-3 text-left hover:bg-muted/50 focus-visible:bg-muted/50 focus-visible:outline-none">
                        <span className="flex flex-wrap items-center gap-2 font-medium">
                          <HighlightedText segments={s.highlights.name} fallback={s.name} />
                          <Badge variant="outline">{schoolTypeLabels[s.type]}</Badge>
                          {!s.is_public ? (
                            <Badge variant="secondary">
                              <Lock aria-hidden className="size-3" /> Private
                            </Badge>
                          ) : null}
                        </span>
                        <span className="flex items-center gap-1 text-sm text-muted-foreground">
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
  active: string | null;
  onChange: (v: string | null) => void;
  label: (v: string) => string;
}) {
  return (
    <div className="grid gap-1">
      <div className="flex items-center justify-between">
        <h2 className="text-sm font-medium">{title}</h2>
        {active ? (
          <Button variant="ghost" size="sm" onClick={() => onChange(null)}>
            <X aria-hidden /> Clear
          </Button>
        ) : null}
      </div>
      {items.length === 0 ? (
        <p className="text-xs text-muted-foreground">No values</p>
      ) : (
        <ul className="grid gap-0.5">
          {items.map((f) => (
            <li key={f.value}>
              <button
                type="button"
                aria-pressed={active === f.value}
                onClick={() => onChange(active === f.value ? null : f.value)}
                className="flex w-full items-center justify-between rounded-md px-2 py-1 text-left text-sm hover:bg-muted aria-pressed:bg-muted aria-pressed:font-medium"
              >
                <span className="truncate">{label(f.value)}</span>
                <span className="text-xs text-muted-foreground tabular-nums">{f.count}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
