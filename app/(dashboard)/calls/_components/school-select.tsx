"use client";

import { useState } from "react";
import { Input } from "@/components/ui/input";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { useSchoolOptions } from "@/lib/hooks/use-calls";

const NONE = "__none__";

/** A school picker over the directory, with a search box for tenants with many schools. */
export function SchoolSelect({
  value,
  onChange,
  noneLabel,
  id,
  selectedName,
}: {
  value: string | null;
  onChange: (id: string | null) => void;
  noneLabel: string;
  id?: string;
  /** Name of the current value, shown even when it is not among the loaded options. */
  selectedName?: string | null;
}) {
  const [q, setQ] = useState("");
  const options = useSchoolOptions(q);
  const items = options.data?.data ?? [];
  const showSearch = (options.data?.total ?? 0) > items.length || q !== "";
  return (
    <div className="grid gap-2">
      {showSearch ? (
        <Input placeholder="e.g. Kadıköy" value={q} onChange={(e) => setQ(e.target.value)} aria-label="Search schools" />
      ) : null}
      <Select value={value ?? NONE} onValueChange={(v) => onChange(v === NONE ? null : v)}>
        <SelectTrigger id={id} className="w-full min-w-48">
          <SelectValue placeholder={noneLabel} />
        </SelectTrigger>
        <SelectContent>
          <SelectItem value={NONE}>{noneLabel}</SelectItem>
          {value && !items.some((s) => s.id === value) ? <SelectItem value={value}>{selectedName ?? "Selected school"}</SelectItem> : null}
          {items.map((s) => (
            <SelectItem key={s.id} value={s.id}>
              {s.name}
              {s.city ? <span className="text-muted-foreground"> · {s.city}</span> : null}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
      {options.isError ? <p className="text-xs text-destructive">Could not load schools</p> : null}
    </div>
  );
}
