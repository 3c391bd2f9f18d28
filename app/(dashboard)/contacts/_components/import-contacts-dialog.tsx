"use client";

import { FileUp } from "lucide-react";
import { useRef, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { ImportOutcome } from "@/components/import/import-outcome";
import { Button } from "@/components/ui/button";
import { SubmitButton } from "@/components/ui/submit-button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { toast } from "@/components/ui/toaster";
import { ApiClientError, errorMessage } from "@/lib/hooks/api-client";
import { contactsKey, importContactsFile, type ContactImportProgress } from "@/lib/hooks/use-contacts";
import type { ContactImportResult } from "@/lib/validations/contacts";

type State =
  | { step: "pick" }
  | { step: "running"; progress: ContactImportProgress | null }
  | { step: "done"; result: ContactImportResult }
  | { step: "failed"; message: string; errors: { line?: number; field?: string; message: string }[] };

export function ImportContactsDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (o: boolean) => void }) {
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
    setState({ step: "running", progress: null });
    try {
      const result = await importContactsFile(file, (progress) => setState({ step: "running", progress }));
      setState({ step: "done", result });
      toast.success(`Imported: ${result.created} added, ${result.updated} updated${result.failed ? `, ${result.failed} rows skipped` : ""}`);
    } catch (err) {
      const details = err instanceof ApiClientError && Array.isArray(err.details) ? (err.details as { line?: number; field?: string; message: string }[]) : [];
      setState({ step: "failed", message: errorMessage(err), errors: details });
      toast.error(errorMessage(err));
    } finally {
      await qc.invalidateQueries({ queryKey: contactsKey });
    }
  }

  const progress = state.step === "running" ? state.progress : null;
  const total = progress?.bytes_total ?? file?.size ?? 0;
  const pct = progress && total > 0 ? Math.min(100, Math.round((progress.bytes_read / total) * 100)) : 0;
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
          <DialogTitle>Import contacts</DialogTitle>
          <DialogDescription>
            CSV with a header row (<code className="font-mono text-xs">external_id, name, email, phone, whatsapp, locale, timezone, unsubscribed</code>, and{" "}
            <code className="font-mono text-xs">attributes.&lt;name&gt;</code> columns), comma or semicolon separated — or NDJSON, one contact object per line. Streamed: up to 1,000,000 rows. Rows with an
            existing external_id update that contact.
          </DialogDescription>
        </DialogHeader>
        <div className="grid gap-4">
          <Input
            ref={inputRef}
            type="file"
            accept=".csv,.ndjson,.jsonl,text/csv,application/x-ndjson"
            disabled={running}
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setState({ step: "pick" });
            }}
            aria-label="Contacts file"
          />
          {state.step === "running" ? (
            <div className="grid gap-1">
              <div role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-label="Import progress" className="h-2 w-full overflow-hidden rounded-full bg-muted">
                <div className="h-full bg-primary transition-[width]" style={{ width: `${pct}%` }} />
              </div>
              <p className="text-sm text-muted-foreground">
                {progress ? `${pct}% · ${progress.processed} rows · ${progress.created} added · ${progress.updated} updated · ${progress.failed} skipped` : "Uploading and checking the header…"}
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
