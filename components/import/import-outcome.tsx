"use client";

import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";

export interface ImportRowError {
  line?: number;
  field?: string;
  message: string;
}

/** What a finished or failed file import says: the counts, the reason it stopped, and the rows it refused. */
export function ImportOutcome({
  result,
  failure,
  errors,
}: {
  result?: { total_rows: number; created: number; updated: number; failed: number; errors_truncated?: boolean } | null;
  failure?: string | null;
  errors: ImportRowError[];
}) {
  return (
    <>
      {result ? (
        <p className="text-sm" role="status">
          {result.total_rows} rows: <strong>{result.created}</strong> added, <strong>{result.updated}</strong> updated, <strong>{result.failed}</strong> skipped.
        </p>
      ) : null}
      {failure ? <p className="text-sm text-destructive">{failure}</p> : null}
      {errors.length > 0 ? (
        <div className="max-h-64 overflow-y-auto rounded-md border">
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead className="w-16">Line</TableHead>
                <TableHead className="w-28">Field</TableHead>
                <TableHead>Problem</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {errors.map((e, i) => (
                <TableRow key={i}>
                  <TableCell className="tabular-nums">{e.line ?? "—"}</TableCell>
                  <TableCell className="font-mono text-xs">{e.field ?? "—"}</TableCell>
                  <TableCell>{e.message}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {result?.errors_truncated ? <p className="p-2 text-xs text-muted-foreground">Only the first 1,000 problems are listed.</p> : null}
        </div>
      ) : null}
    </>
  );
}
