"use client";

import { Plus, X } from "lucide-react";
import { useEffect, useMemo, useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { toast } from "@/components/ui/toaster";
import { errorMessage } from "@/lib/hooks/api-client";
import { useCreateList, useSegmentPreview } from "@/lib/hooks/use-lists";
import { segmentSchema, type SegmentNode } from "@/lib/validations/segments";

const ops = [
  { value: "eq", label: "is" },
  { value: "neq", label: "is not" },
  { value: "in", label: "is one of" },
  { value: "exists", label: "is set" },
  { value: "not_exists", label: "is not set" },
  { value: "gt", label: ">" },
  { value: "gte", label: "≥" },
  { value: "lt", label: "<" },
  { value: "lte", label: "≤" },
] as const;
type Op = (typeof ops)[number]["value"];

interface Row {
  field: string;
  op: Op;
  value: string;
}

/** "12" → 12, "true" → true, else the text; dates stay strings. */
function typed(v: string): string | number | boolean {
  const t = v.trim();
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  if (t === "true" || t === "false") return t === "true";
  return t;
}

function toNode(r: Row): SegmentNode {
  if (r.op === "exists" || r.op === "not_exists") return { field: r.field, op: r.op };
  if (r.op === "in") return { field: r.field, op: "in", values: r.value.split(",").map((v) => typed(v)).filter((v) => v !== "") };
  if (r.op === "eq" || r.op === "neq") return { field: r.field, op: r.op, value: typed(r.value) };
  const v = typed(r.value);
  return { field: r.field, op: r.op, value: typeof v === "number" ? v : String(v) };
}

export function ListFormDialog({ kind, open, onOpenChange }: { kind: "static" | "segment"; open: boolean; onOpenChange: (o: boolean) => void }) {
  const create = useCreateList();
  const [name, setName] = useState("");
  const [match, setMatch] = useState<"and" | "or">("and");
  const [rows, setRows] = useState<Row[]>([{ field: "attributes.team", op: "eq", value: "" }]);
  const built = useMemo(() => {
    const node = { [match]: rows.map(toNode) } as SegmentNode;
    const parsed = segmentSchema.safeParse(node);
    return parsed.success ? { node: parsed.data, error: null } : { node: null, error: parsed.error.issues[0]?.message ?? "Incomplete" };
  }, [rows, match]);
  // The live count follows the builder after a short pause.
  const [debounced, setDebounced] = useState<SegmentNode | null>(null);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(kind === "segment" ? built.node : null), 300);
    return () => clearTimeout(t);
  }, [built.node, kind]);
  const preview = useSegmentPreview(debounced);

  function submit(e: React.FormEvent) {
    e.preventDefault();
    const body = kind === "segment" ? (built.node ? { name, kind, segment: built.node } : null) : { name, kind };
    if (!body) return;
    create.mutate(body as never, {
      onSuccess: (l) => {
        toast.success(`Created ${l.name} (${l.count} contacts)`);
        setName("");
        onOpenChange(false);
      },
      onError: (err) => toast.error(errorMessage(err)),
    });
  }

  const update = (i: number, patch: Partial<Row>) => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="sm:max-w-2xl">
        <DialogHeader>
          <DialogTitle>{kind === "segment" ? "New segment" : "New list"}</DialogTitle>
          <DialogDescription>
            {kind === "segment"
              ? "Pick contacts by their fields (name, email, locale, created_at…) or attributes (attributes.team, attributes.age…). The count updates as you build."
              : "A static list; add members in bulk with POST /api/v1/lists/{id}/members (up to 10,000 ids or external ids per call)."}
          </DialogDescription>
        </DialogHeader>
        <form id="list-form" onSubmit={submit} className="grid gap-3">
          <div className="grid gap-1.5">
            <Label htmlFor="list-name">Name</Label>
            <Input id="list-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. U12 players 2025" required />
          </div>
          {kind === "segment" ? (
            <fieldset className="grid gap-2">
              <legend className="mb-1 text-sm font-medium">Conditions</legend>
              <div className="flex items-center gap-2 text-sm">
                Match
                <Select value={match} onValueChange={(v) => setMatch(v as "and" | "or")}>
                  <SelectTrigger className="w-28" aria-label="Match all or any">
                    <SelectValue />
                  </SelectTrigger>
                  <SelectContent>
                    <SelectItem value="and">all (AND)</SelectItem>
                    <SelectItem value="or">any (OR)</SelectItem>
                  </SelectContent>
                </Select>
                of these
              </div>
              {rows.map((r, i) => (
                <div key={i} className="grid gap-2 sm:grid-cols-[1fr_8rem_1fr_auto]">
                  <Input value={r.field} onChange={(e) => update(i, { field: e.target.value })} placeholder="e.g. attributes.team" aria-label={`Field ${i + 1}`} />
                  <Select value={r.op} onValueChange={(v) => update(i, { op: v as Op })}>
                    <SelectTrigger aria-label={`Operator ${i + 1}`}>
                      <SelectValue />
                    </SelectTrigger>
                    <SelectContent>
                      {ops.map((o) => (
                        <SelectItem key={o.value} value={o.value}>
                          {o.label}
                        </SelectItem>
                      ))}
                    </SelectContent>
                  </Select>
                  <Input
                    value={r.value}
                    disabled={r.op === "exists" || r.op === "not_exists"}
                    onChange={(e) => update(i, { value: e.target.value })}
                    placeholder={r.op === "in" ? "e.g. u12, u14" : r.op.startsWith("g") || r.op.startsWith("l") ? "e.g. 10 or 2025-01-01" : "e.g. u12"}
                    aria-label={`Value ${i + 1}`}
                  />
                  <Button type="button" variant="ghost" size="icon" aria-label={`Remove condition ${i + 1}`} disabled={rows.length === 1} onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))}>
                    <X aria-hidden />
                  </Button>
                </div>
              ))}
              <Button type="button" variant="outline" size="sm" className="justify-self-start" onClick={() => setRows((rs) => [...rs, { field: "", op: "eq", value: "" }])}>
                <Plus aria-hidden /> Add condition
              </Button>
              <p className="text-sm" aria-live="polite">
                {built.error ? (
                  <span className="text-muted-foreground">{built.error}</span>
                ) : preview.isError ? (
                  <span className="text-destructive">{errorMessage(preview.error)}</span>
                ) : preview.data ? (
                  <span>
                    Matches <strong data-testid="segment-count">{preview.data.count.toLocaleString("en")}</strong> contacts
                    {preview.data.sample.length ? ` — e.g. ${preview.data.sample.slice(0, 3).map((c) => c.name ?? c.email ?? c.external_id ?? c.id).join(", ")}` : ""}
                  </span>
                ) : (
                  <span className="text-muted-foreground">Counting…</span>
                )}
              </p>
            </fieldset>
          ) : null}
        </form>
        <DialogFooter>
          <Button type="submit" form="list-form" disabled={create.isPending || !name.trim() || (kind === "segment" && !built.node)}>
            {create.isPending ? "Creating…" : kind === "segment" ? "Save segment" : "Create list"}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
