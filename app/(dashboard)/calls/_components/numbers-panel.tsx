"use client";

import { Phone, Plus } from "lucide-react";
import { useState } from "react";
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
  AlertDialogTrigger,
} from "@/components/ui/alert-dialog";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Skeleton } from "@/components/ui/skeleton";
import { SubmitButton } from "@/components/ui/submit-button";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { toast } from "@/components/ui/toaster";
import { ApiClientError, errorMessage } from "@/lib/hooks/api-client";
import { useAddNumber, useNumbers, useRemoveNumber, useUpdateNumber } from "@/lib/hooks/use-calls";
import { E164_PATTERN } from "@/lib/validations/common";
import type { InboundNumberOutput } from "@/lib/validations/telephony";
import { SchoolSelect } from "./school-select";
import { useFormat } from "@/components/format-provider";

function fieldError(err: unknown, field: string): string | undefined {
  if (!(err instanceof ApiClientError) || !Array.isArray(err.details)) return undefined;
  return (err.details as { path?: string; message: string }[]).find((d) => d.path === field)?.message;
}

function AddNumberDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const add = useAddNumber();
  const [number, setNumber] = useState("");
  const [label, setLabel] = useState("");
  const [school, setSchool] = useState<string | null>(null);
  const [submitted, setSubmitted] = useState(false);
  const valid = E164_PATTERN.test(number.trim());
  const serverError = fieldError(add.error, "number") ?? (add.error instanceof ApiClientError && add.error.status === 409 ? add.error.message : undefined);

  function reset() {
    setNumber("");
    setLabel("");
    setSchool(null);
    setSubmitted(false);
    add.reset();
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        if (!o) reset();
        onOpenChange(o);
      }}
    >
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Add a number</DialogTitle>
          <DialogDescription>An inbound number your telephony server receives calls on, in E.164 format.</DialogDescription>
        </DialogHeader>
        <form
          id="add-number"
          className="grid gap-4"
          onSubmit={(e) => {
            e.preventDefault();
            setSubmitted(true);
            if (!valid) return;
            add.mutate(
              { number: number.trim(), label: label.trim() || undefined, school_id: school },
              {
                onSuccess: (n) => {
                  toast.success(`${n.number} added to the pool`);
                  reset();
                  onOpenChange(false);
                },
                onError: (err) => toast.error(errorMessage(err)),
              },
            );
          }}
        >
          <div className="grid gap-1.5">
            <Label htmlFor="number">Number</Label>
            <Input id="number" placeholder="e.g. +994125550100" value={number} onChange={(e) => setNumber(e.target.value)} aria-invalid={(submitted && !valid) || Boolean(serverError)} />
            {submitted && !valid ? (
              <p className="text-xs text-destructive">{number.trim() === "" ? "Enter the number" : "Use E.164: a + and up to 15 digits, e.g. +994125550100"}</p>
            ) : null}
            {serverError ? <p className="text-xs text-destructive">{serverError}</p> : null}
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor="label">Label (optional)</Label>
            <Input id="label" maxLength={100} placeholder="e.g. Reception" value={label} onChange={(e) => setLabel(e.target.value)} />
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor="assign-school">School (optional)</Label>
            <SchoolSelect id="assign-school" value={school} onChange={setSchool} noneLabel="Free (not assigned)" />
          </div>
        </form>
        <DialogFooter>
          <Button variant="outline" onClick={() => onOpenChange(false)}>
            Cancel
          </Button>
          <SubmitButton form="add-number" pending={add.isPending} pendingLabel="Adding…">
            Add number
          </SubmitButton>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

function AssignDialog({ number, onClose }: { number: InboundNumberOutput | null; onClose: () => void }) {
  const update = useUpdateNumber();
  const [school, setSchool] = useState<string | null>(null);
  return (
    <Dialog open={number !== null} onOpenChange={(o) => !o && onClose()}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Assign {number?.number}</DialogTitle>
          <DialogDescription>Calls to this number will be linked to the school from now on.</DialogDescription>
        </DialogHeader>
        <SchoolSelect value={school} onChange={setSchool} noneLabel="Choose a school" />
        <DialogFooter>
          <Button variant="outline" onClick={onClose}>
            Cancel
          </Button>
          <SubmitButton
            type="button"
            pending={update.isPending}
            blockedReason={school ? null : "Choose a school first"}
            onClick={() =>
              number &&
              update.mutate(
                { id: number.id, school_id: school },
                {
                  onSuccess: (n) => {
                    toast.success(`${n.number} assigned to ${n.school?.name ?? "the school"}`);
                    setSchool(null);
                    onClose();
                  },
                  onError: (err) => toast.error(errorMessage(err)),
                },
              )
            }
          >
            Assign
          </SubmitButton>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

/** The inbound number pool: free and assigned numbers, with assign / release / remove. */
export function NumbersPanel({ canWrite }: { canWrite: boolean }) {
  const fmt = useFormat();
  const numbers = useNumbers();
  const update = useUpdateNumber();
  const remove = useRemoveNumber();
  const [adding, setAdding] = useState(false);
  const [assigning, setAssigning] = useState<InboundNumberOutput | null>(null);
  const free = numbers.data?.filter((n) => n.status === "free").length ?? 0;

  return (
    <Card>
      <CardHeader>
        <CardTitle>Number pool</CardTitle>
        <CardDescription>
          {numbers.data ? `${numbers.data.length} number(s), ${free} free. ` : ""}Calls to a number assigned to a school appear under that school.
        </CardDescription>
        {canWrite ? (
          <CardAction>
            <Button onClick={() => setAdding(true)}>
              <Plus aria-hidden /> Add number
            </Button>
          </CardAction>
        ) : null}
      </CardHeader>
      <CardContent>
        {numbers.isPending ? (
          <Skeleton className="h-32 w-full" />
        ) : numbers.isError ? (
          <p className="text-sm text-destructive">{errorMessage(numbers.error)}</p>
        ) : numbers.data.length === 0 ? (
          <EmptyState
            icon={Phone}
            title="No numbers in the pool"
            description={canWrite ? "Add the inbound numbers your telephony server answers, then assign them to schools." : "Staff can add the tenant's inbound numbers."}
          />
        ) : (
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Number</TableHead>
                <TableHead>Label</TableHead>
                <TableHead>Status</TableHead>
                <TableHead>School</TableHead>
                <TableHead>Assigned</TableHead>
                {canWrite ? <TableHead className="sr-only">Actions</TableHead> : null}
              </TableRow>
            </TableHeader>
            <TableBody>
              {numbers.data.map((n) => (
                <TableRow key={n.id}>
                  <TableCell className="font-mono">{n.number}</TableCell>
                  <TableCell>{n.label ?? <span className="text-muted-foreground">—</span>}</TableCell>
                  <TableCell>
                    <Badge variant={n.status === "assigned" ? "info" : "secondary"}>{n.status === "assigned" ? "Assigned" : "Free"}</Badge>
                  </TableCell>
                  <TableCell>{n.school?.name ?? <span className="text-muted-foreground">—</span>}</TableCell>
                  <TableCell>{n.assigned_at ? fmt.dateTime(n.assigned_at) : "—"}</TableCell>
                  {canWrite ? (
                    <TableCell className="text-right whitespace-nowrap">
                      {n.status === "free" ? (
                        <Button size="sm" variant="outline" onClick={() => setAssigning(n)}>
                          Assign
                        </Button>
                      ) : (
                        <Button
                          size="sm"
                          variant="outline"
                          disabled={update.isPending}
                          onClick={() =>
                            update.mutate(
                              { id: n.id, school_id: null },
                              { onSuccess: () => toast.success(`${n.number} released`), onError: (err) => toast.error(errorMessage(err)) },
                            )
                          }
                        >
                          Release
                        </Button>
                      )}
                      <AlertDialog>
                        <AlertDialogTrigger asChild>
                          <Button size="sm" variant="ghost" className="ml-1 text-destructive">
                            Remove
                          </Button>
                        </AlertDialogTrigger>
                        <AlertDialogContent>
                          <AlertDialogHeader>
                            <AlertDialogTitle>Remove {n.number}?</AlertDialogTitle>
                            <AlertDialogDescription>
                              New calls to it will no longer be linked to a school. Past calls keep their school.
                            </AlertDialogDescription>
                          </AlertDialogHeader>
                          <AlertDialogFooter>
                            <AlertDialogCancel>Cancel</AlertDialogCancel>
                            <AlertDialogAction
                              onClick={() =>
                                remove.mutate(n.id, {
                                  onSuccess: () => toast.success(`${n.number} removed`),
                                  onError: (err) => toast.error(errorMessage(err)),
                                })
                              }
                            >
                              Remove
                            </AlertDialogAction>
                          </AlertDialogFooter>
                        </AlertDialogContent>
                      </AlertDialog>
                    </TableCell>
                  ) : null}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </CardContent>
      <AddNumberDialog open={adding} onOpenChange={setAdding} />
      <AssignDialog number={assigning} onClose={() => setAssigning(null)} />
    </Card>
  );
}
