"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { Network, Plus } from "lucide-react";
import { useState } from "react";
import { useForm } from "react-hook-form";
import type { z } from "zod";
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
import { CopyButton } from "@/components/ui/copy-button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { Form, FormControl, FormDescription, FormField, FormItem, FormLabel, FormMessage } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { Switch } from "@/components/ui/switch";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { toast } from "@/components/ui/toaster";
import { useFormat } from "@/components/format-provider";
import { errorMessage } from "@/lib/hooks/api-client";
import { useBusBindings, useCreateBusBinding, useDeleteBusBinding, useUpdateBusBinding } from "@/lib/hooks/use-bus-bindings";
import { createBusBindingBody, type BusBindingOut, type CreateBusBindingBody } from "@/lib/validations/bus";

/** Settings → Event bus: the queues on which actions act for this tenant. */
export function BusPanel({ canManage }: { canManage: boolean }) {
  const bindings = useBusBindings();
  const [open, setOpen] = useState(false);
  const consumer = bindings.data?.consumer;

  return (
    <Card>
      <CardHeader>
        <CardTitle>Event bus</CardTitle>
        <CardDescription>
          Services can ask Herald to send by publishing <code className="font-mono text-xs">action.execute.requested.v1</code> to RabbitMQ. A binding gives this
          tenant its own queue and routing key: whatever arrives there sends for this tenant only. Herald answers each action with{" "}
          <code className="font-mono text-xs">communication.sent.v1</code> or <code className="font-mono text-xs">communication.failed.v1</code>; refused messages go to
          the dead-letter queue with their reason and are listed under Messages → Dead letters.
        </CardDescription>
        {canManage ? (
          <CardAction>
            <Button onClick={() => setOpen(true)}>
              <Plus aria-hidden /> Add binding
            </Button>
          </CardAction>
        ) : null}
      </CardHeader>
      <CardContent className="grid gap-4">
        {consumer ? (
          <p className="text-sm" data-testid="bus-consumer-status">
            Consumer:{" "}
            <Badge variant={consumer.status === "ok" ? "success" : consumer.status === "off" ? "secondary" : "destructive"}>
              {consumer.status === "ok" ? `running (${consumer.consumers} queue${consumer.consumers === 1 ? "" : "s"} in this process)` : consumer.status === "off" ? "not running in this process" : "down"}
            </Badge>
            {consumer.error ? <span className="ml-2 text-muted-foreground">{consumer.error}</span> : null}
          </p>
        ) : null}
        {bindings.isPending ? (
          <Skeleton className="h-24 w-full" />
        ) : bindings.isError ? (
          <p className="text-sm text-destructive">{errorMessage(bindings.error)}</p>
        ) : bindings.data.data.length === 0 ? (
          <EmptyState
            icon={Network}
            title="No bindings yet"
            description={canManage ? "Add one to receive actions from the bus." : "An owner or admin can add a binding to receive actions from the bus."}
          />
        ) : (
          <div className="overflow-x-auto">
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>Key</TableHead>
                  <TableHead>Publish to</TableHead>
                  <TableHead>Queue</TableHead>
                  <TableHead>Created</TableHead>
                  <TableHead>Enabled</TableHead>
                  <TableHead className="sr-only">Actions</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {bindings.data.data.map((b) => (
                  <BindingRow key={b.id} binding={b} canManage={canManage} />
                ))}
              </TableBody>
            </Table>
          </div>
        )}
      </CardContent>
      {canManage ? <CreateBindingDialog open={open} onOpenChange={setOpen} /> : null}
    </Card>
  );
}

function BindingRow({ binding: b, canManage }: { binding: BusBindingOut; canManage: boolean }) {
  const fmt = useFormat();
  const update = useUpdateBusBinding();
  const remove = useDeleteBusBinding();
  const [confirmDisable, setConfirmDisable] = useState(false);
  const setEnabled = (enabled: boolean) =>
    update.mutate(
      { id: b.id, enabled },
      { onSuccess: () => toast.success(enabled ? `Enabled ${b.key}` : `Disabled ${b.key}`), onError: (e) => toast.error(errorMessage(e)) },
    );
  return (
    <TableRow data-testid={`bus-binding-row-${b.key}`}>
      <TableCell>
        <span className="font-medium">{b.key}</span>
        {b.description ? <span className="block text-xs text-muted-foreground">{b.description}</span> : null}
      </TableCell>
      <TableCell className="text-xs">
        <span className="block">
          exchange <span className="font-mono">{b.exchange}</span>
        </span>
        <span className="flex items-center gap-1">
          routing key <span className="font-mono break-all">{b.routing_key}</span>
          <CopyButton value={b.routing_key} label={`Copy routing key of ${b.key}`} />
        </span>
      </TableCell>
      <TableCell className="text-xs">
        <span className="block font-mono break-all">{b.queue}</span>
        <span className="block text-muted-foreground">
          dead letters: <span className="font-mono">{b.dead_letter_queue}</span>
        </span>
      </TableCell>
      <TableCell className="whitespace-nowrap">{fmt.dateTime(b.created_at)}</TableCell>
      <TableCell>
        <Switch
          checked={b.enabled}
          disabled={!canManage || update.isPending}
          aria-label={`${b.enabled ? "Disable" : "Enable"} binding ${b.key}`}
          onCheckedChange={(next) => (next ? setEnabled(true) : setConfirmDisable(true))}
        />
        <AlertDialog open={confirmDisable} onOpenChange={setConfirmDisable}>
          <AlertDialogContent>
            <AlertDialogHeader>
              <AlertDialogTitle>Disable “{b.key}”?</AlertDialogTitle>
              <AlertDialogDescription>
                Herald stops consuming this queue. Actions published meanwhile wait on the queue and are sent once you enable it again.
              </AlertDialogDescription>
            </AlertDialogHeader>
            <AlertDialogFooter>
              <AlertDialogCancel>Cancel</AlertDialogCancel>
              <AlertDialogAction onClick={() => setEnabled(false)}>Disable binding</AlertDialogAction>
            </AlertDialogFooter>
          </AlertDialogContent>
        </AlertDialog>
      </TableCell>
      <TableCell className="text-right">
        {canManage ? (
          <AlertDialog>
            <AlertDialogTrigger asChild>
              <Button variant="outline" size="sm">
                Delete
              </Button>
            </AlertDialogTrigger>
            <AlertDialogContent>
              <AlertDialogHeader>
                <AlertDialogTitle>Delete “{b.key}”?</AlertDialogTitle>
                <AlertDialogDescription>
                  Herald stops consuming and unbinds the queue, so actions published to <span className="font-mono">{b.routing_key}</span> no longer reach it. Messages
                  still on the queue stay there for an operator.
                </AlertDialogDescription>
              </AlertDialogHeader>
              <AlertDialogFooter>
                <AlertDialogCancel>Cancel</AlertDialogCancel>
                <AlertDialogAction
                  variant="destructive"
                  onClick={() => remove.mutate(b.id, { onSuccess: () => toast.success(`Deleted ${b.key}`), onError: (e) => toast.error(errorMessage(e)) })}
                >
                  Delete binding
                </AlertDialogAction>
              </AlertDialogFooter>
            </AlertDialogContent>
          </AlertDialog>
        ) : null}
      </TableCell>
    </TableRow>
  );
}

type FormInput = z.input<typeof createBusBindingBody>;

function CreateBindingDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (o: boolean) => void }) {
  const create = useCreateBusBinding();
  const form = useForm<FormInput, unknown, CreateBusBindingBody>({ resolver: zodResolver(createBusBindingBody), defaultValues: { key: "", description: "" } });

  function close(next: boolean) {
    if (!next) form.reset();
    onOpenChange(next);
  }

  const onSubmit = form.handleSubmit((values) =>
    create.mutate(values, {
      onSuccess: (b) => {
        toast.success(`Added ${b.key}: publish to ${b.routing_key}`);
        close(false);
      },
      onError: (e) => toast.error(errorMessage(e)),
    }),
  );

  return (
    <Dialog open={open} onOpenChange={close}>
      <DialogContent className="sm:max-w-lg">
        <DialogHeader>
          <DialogTitle>Add bus binding</DialogTitle>
          <DialogDescription>The key names this tenant&apos;s queue and routing key. Keys are unique across this Herald deployment.</DialogDescription>
        </DialogHeader>
        <Form {...form}>
          <form onSubmit={onSubmit} className="grid gap-4" noValidate>
            <FormField
              control={form.control}
              name="key"
              render={({ field }) => (
                <FormItem controlId="bus-binding-key">
                  <FormLabel>Key</FormLabel>
                  <FormControl>
                    <Input placeholder="e.g. acme-prod" autoComplete="off" {...field} />
                  </FormControl>
                  <FormDescription>Lower-case letters, digits, _ and -.</FormDescription>
                  <FormMessage />
                </FormItem>
              )}
            />
            <FormField
              control={form.control}
              name="description"
              render={({ field }) => (
                <FormItem controlId="bus-binding-description">
                  <FormLabel>Description (optional)</FormLabel>
                  <FormControl>
                    <Input placeholder="e.g. Alerts from the device platform" autoComplete="off" {...field} value={field.value ?? ""} />
                  </FormControl>
                  <FormMessage />
                </FormItem>
              )}
            />
            <DialogFooter>
              <Button type="button" variant="outline" onClick={() => close(false)}>
                Cancel
              </Button>
              <Button type="submit" disabled={create.isPending}>
                Add binding
              </Button>
            </DialogFooter>
          </form>
        </Form>
      </DialogContent>
    </Dialog>
  );
}
