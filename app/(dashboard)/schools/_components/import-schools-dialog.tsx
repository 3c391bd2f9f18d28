"use client";

import { Download, FileUp } from "lucide-react";
import { Fragment, useRef, useState } from "react";
import { ImportOutcome } from "@/components/import/import-outcome";
import { Button } from "@/components/ui/button";
import { SubmitButton } from "@/components/ui/submit-button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { toast } from "@/components/ui/toaster";
import { useQueryClient } from "@tanstack/react-query";
import { ApiClientError, errorMessage } from "@/lib/hooks/api-client";
import { importSchoolsCsv, schoolsKey, type ImportProgressEvent } from "@/lib/hooks/use-schools";
import { schoolTypes, type ImportResult } from "@/lib/validations/schools";

const MAX_BYTES = 5 * 1024 * 1024;

type State =
  | { step: "pick" }
  | { step: "running"; progress: ImportProgressEvent | null }
  | { step: "done"; result: ImportResult }
  | { step: "failed"; message: string; errors: { line?: number; field?: string; message: string }[] };

export function ImportSchoolsDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (o: boolean) => void }) {
  const qc = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [state, setState] = useState<State>({ step: "pick" });
  const inputRef = useRef<HTMLInputElement>(null);
  const running = state.step === "running";

  function reset() {
    setFile(null);
    setState({ step: "pick" });
    if (inputRef.current) inputRef.current.value = "";
  }

  async function start() {
    if (!file) return;
    if (file.size > MAX_BYTES) {
      setState({ step: "failed", message: "The file is larger than 5 MB; split it into smaller files.", errors: [] });
      return;
    }
    setState({ step: "running", progress: null });
    try {
      const result = await importSchoolsCsv(file, (progress) => setState({ step: "running", progress }));
      setState({ step: "done", result });
      toast.success(`Imported: ${result.created} added, ${result.updated} updated${result.failed ? `, ${result.failed} rows skipped` : ""}`);
    } catch (err) {
      const details = err instanceof ApiClientError && Array.isArray(err.details) ? (err.details as { line?: number; field?: string; message: string }[]) : [];
      setState({ step: "failed", message: errorMessage(err), errors: details });
      toast.error(errorMessage(err));
    } finally {
      await qc.invalidateQueries({ queryKey: schoolsKey });
    }
  }

  const progress = state.step === "running" ? state.progress : null;
  const pct = progress && progress.total > 0 ? Math.round((progress.processed / progress.total) * 100) : 0;
  const rowErrors = state.step === "done" ? state.result.errors : state.step === "failed" ? state.errors : [];

  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        if (running) return; // the import keeps going server-side; keep the progress visible
        if (!o) reset();
        onOpenChange(o);
      }}
    >
      <DialogContent className="sm:max-w-2xl">
        <DialogHeader>
          <DialogTitle>Import schools from CSV</DialogTitle>
          <DialogDescription>
            Header row with <code className="font-mono text-xs">name, type, city</code> and optionally{" "}
            <code className="font-mono text-xs">slug, district, address, latitude, longitude, phone, email, website, tags, is_public</code>. Comma or semicolon separated, UTF-8, up to 5 MB / 50,000 rows. Rows
            with the slug of an existing school update it; without a slug, name + city identify the school. <span className="font-medium">type</span> is one of{" "}
            {schoolTypes.map((t, i) => (
              <Fragment key={t}>
                {i > 0 ? ", " : ""}
                <code className="font-mono text-xs">{t}</code>
              </Fragment>
            ))}
            .
          </DialogDescription>
          <a href="/api/v1/schools/import/template" download className="inline-flex items-center gap-1 text-sm font-medium underline underline-offset-4">
            <Download aria-hidden className="size-4" /> Download a CSV template (one example row per type)
          </a>
        </DialogHeader>

        <div className="grid gap-4">
          <Input
            ref={inputRef}
            type="file"
            accept=".csv,text/csv"
            disabled={running}
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setState({ step: "pick" });
            }}
            aria-label="CSV file"
          />

          {state.step === "running" ? (
            <div className="grid gap-1">
              <div
                role="progressbar"
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={pct}
                aria-label="Import progress"
                className="h-2 w-full overflow-hidden rounded-full bg-muted"
              >
                <div className="h-full bg-primary transition-[width]" style={{ width: `${pct}%` }} />
              </div>
              <p className="text-sm text-muted-foreground">
                {progress ? `${progress.processed} of ${progress.total} rows · ${progress.created} added · ${progress.updated} updated · ${progress.failed} skipped` : "Uploading and checking the file…"}
              </p>
            </div>
          ) : null}

          <ImportOutcome result={state.step === "done" ? state.result : null} failure={state.step === "failed" ? state.message : null} errors={rowErrors} />
        </div>

        <DialogFooter>
          {state.step === "done" ? (
            <Button variant="outline" onClick={reset}>
              Import another file
            </Button>
          ) : null}
          {state.step === "done" ? null : (
            <SubmitButton type="button" onClick={start} pending={running} pendingLabel="Importing…" blockedReason={file ? null : "Choose a file first"}>
              <FileUp aria-hidden /> Import
            </SubmitButton>
          )}
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
