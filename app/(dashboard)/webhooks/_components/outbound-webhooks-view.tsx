"use client";

import { MoreHorizontal, Plus, Webhook } from "lucide-react";
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
} from "@/components/ui/alert-dialog";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuSeparator, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";
import { EmptyState } from "@/components/ui/empty-state";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { SubmitButton } from "@/components/ui/submit-button";
import { SecretReveal } from "@/components/ui/secret-reveal";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { toast } from "@/components/ui/toaster";
import { errorMessage } from "@/lib/hooks/api-client";
import {
  useDeleteWebhookEndpoint,
  useEnableWebhookEndpoint,
  useRotateWebhookSecret,
  useUpdateWebhookEndpoint,
  useWebhookEndpoints,
  type WebhookEndpointItem,
  type WebhookEndpointWithSecret,
} from "@/lib/hooks/use-outbound-webhooks";
import { useUrlState } from "@/lib/hooks/use-url-state";
import { DeliveryLogSheet } from "./delivery-log-sheet";
import { EndpointFormDialog, SIGNING_SECRET_WARNING } from "./endpoint-form-dialog";
import { useFormat } from "@/components/format-provider";

export function OutboundWebhooksView({ canManage }: { canManage: boolean }) {
  const fmt = useFormat();
  const endpoints = useWebhookEndpoints();
  const update = useUpdateWebhookEndpoint();
  const enable = useEnableWebhookEndpoint();
  const remove = useDeleteWebhookEndpoint();
  const [creating, setCreating] = useState(false);
  // The open delivery log is in the URL (`endpoint`), so it can be linked and closed with Back.
  const [url, setUrl] = useUrlState(["endpoint"] as const);
  const logFor = endpoints.data?.find((e) => e.id === url.endpoint) ?? null;
  const setLogFor = (ep: WebhookEndpointItem | null) => setUrl({ endpoint: ep?.id ?? null }, { push: true });
  const [rotateFor, setRotateFor] = useState<WebhookEndpointItem | null>(null);
  const [deleteFor, setDeleteFor] = useState<WebhookEndpointItem | null>(null);

  const toastOn = (ok: string) => ({ onSuccess: () => toast.success(ok), onError: (e: unknown) => toast.error(errorMessage(e)) });

  return (
    <Card>
      <CardHeader>
        <CardTitle>Outbound webhooks</CardTitle>
        <CardDescription>
          Herald POSTs message events to your endpoints, signed per Standard Webhooks, and retries failures (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h).
        </CardDescription>
        {canManage ? (
          <CardAction>
            <Button onClick={() => setCreating(true)}>
              <Plus aria-hidden /> Add endpoint
            </Button>
          </CardAction>
        ) : null}
      </CardHeader>
      <CardContent>
        {endpoints.isPending ? (
          <Skeleton className="h-24 w-full" />
        ) : endpoints.isError ? (
          <p className="text-sm text-destructive">{errorMessage(endpoints.error)}</p>
        ) : endpoints.data.length === 0 ? (
          <EmptyState
            icon={Webhook}
            title="No endpoints yet"
            description={canManage ? "Add an endpoint to follow every message from your own systems without polling." : "An admin can register endpoints here."}
          />
        ) : (
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Endpoint</TableHead>
                <TableHead>Events</TableHead>
                <TableHead>Status</TableHead>
                <TableHead>Last success</TableHead>
                <TableHead className="sr-only">Actions</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {endpoints.data.map((ep) => (
                <TableRow key={ep.id} data-testid={`webhook-endpoint-${ep.id}`}>
                  <TableCell className="max-w-xs">
                    <div className="truncate font-mono text-xs" title={ep.url}>
                      {ep.url}
                    </div>
                    {ep.description ? <div className="truncate text-xs text-muted-foreground">{ep.description}</div> : null}
                  </TableCell>
                  <TableCell>
                    <div className="flex max-w-xs flex-wrap gap-1">
                      {ep.event_types.map((t) => (
                        <Badge key={t} variant="outline" className="font-mono">
                          {t}
                        </Badge>
                      ))}
                    </div>
                  </TableCell>
                  <TableCell className="max-w-xs">
                    <Badge variant={ep.status === "enabled" ? (ep.failing_since ? "warning" : "success") : "destructive"}>
                      {ep.status === "enabled" && ep.failing_since ? "failing" : ep.status}
                    </Badge>
                    {ep.disabled_reason ? <p className="mt-1 text-xs whitespace-normal text-muted-foreground">{ep.disabled_reason}</p> : null}
                    {ep.status === "enabled" && ep.failing_since ? (
                      <p className="mt-1 text-xs text-muted-foreground">failing since {fmt.dateTime(ep.failing_since)}</p>
                    ) : null}
                    {ep.previous_secret_expires_at ? (
                      <p className="mt-1 text-xs text-muted-foreground">old secret signs until {fmt.dateTime(ep.previous_secret_expires_at)}</p>
                    ) : null}
                  </TableCell>
                  <TableCell>{ep.last_success_at ? fmt.dateTime(ep.last_success_at) : "never"}</TableCell>
                  <TableCell className="text-right">
                    <div className="flex justify-end gap-2">
                      <Button variant="outline" size="sm" onClick={() => setLogFor(ep)}>
                        Deliveries
                      </Button>
                      {canManage ? (
                        <DropdownMenu>
                          <DropdownMenuTrigger asChild>
                            <Button variant="ghost" size="icon" aria-label={`Actions for ${ep.url}`}>
                              <MoreHorizontal aria-hidden />
                            </Button>
                          </DropdownMenuTrigger>
                          <DropdownMenuContent align="end">
                            <DropdownMenuItem onSelect={() => setRotateFor(ep)}>Rotate secret…</DropdownMenuItem>
                            {ep.status === "enabled" ? (
                              <DropdownMenuItem onSelect={() => update.mutate({ id: ep.id, status: "disabled" }, toastOn("Endpoint disabled"))}>Disable</DropdownMenuItem>
                            ) : (
                              <DropdownMenuItem onSelect={() => enable.mutate(ep.id, toastOn("Endpoint enabled"))}>Enable</DropdownMenuItem>
                            )}
                            <DropdownMenuSeparator />
                            <DropdownMenuItem variant="destructive" onSelect={() => setDeleteFor(ep)}>
                              Delete…
                            </DropdownMenuItem>
                          </DropdownMenuContent>
                        </DropdownMenu>
                      ) : null}
                    </div>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </CardContent>
      {canManage ? <EndpointFormDialog open={creating} onOpenChange={setCreating} /> : null}
      <DeliveryLogSheet endpoint={logFor} canManage={canManage} onOpenChange={(o) => !o && setLogFor(null)} />
      <RotateSecretDialog endpoint={rotateFor} onClose={() => setRotateFor(null)} />
      <AlertDialog open={deleteFor !== null} onOpenChange={(o) => !o && setDeleteFor(null)}>
        <AlertDialogContent>
          <AlertDialogHeader>
            <AlertDialogTitle>Delete this endpoint?</AlertDialogTitle>
            <AlertDialogDescription>
              {deleteFor?.url} stops receiving events at once, its pending retries are dropped and its delivery log is deleted.
            </AlertDialogDescription>
          </AlertDialogHeader>
          <AlertDialogFooter>
            <AlertDialogCancel>Cancel</AlertDialogCancel>
            <AlertDialogAction variant="destructive" onClick={() => deleteFor && remove.mutate(deleteFor.id, toastOn("Endpoint deleted"))}>
              Delete endpoint
            </AlertDialogAction>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
    </Card>
  );
}

function RotateSecretDialog({ endpoint, onClose }: { endpoint: WebhookEndpointItem | null; onClose: () => void }) {
  const rotate = useRotateWebhookSecret();
  const [hours, setHours] = useState("24");
  const [rotated, setRotated] = useState<WebhookEndpointWithSecret | null>(null);
  const [submitted, setSubmitted] = useState(false);
  const valid = /^\d+$/.test(hours) && Number(hours) <= 168;
  const showError = submitted && !valid;

  function close() {
    setRotated(null);
    setHours("24");
    setSubmitted(false);
    onClose();
  }

  return (
    <Dialog open={endpoint !== null} onOpenChange={(o) => !o && close()}>
      <DialogContent className="sm:max-w-lg">
        <DialogHeader>
          <DialogTitle>{rotated ? "New signing secret" : "Rotate signing secret"}</DialogTitle>
          <DialogDescription>
            {rotated
              ? "Deliveries now carry signatures from both secrets until the overlap ends."
              : "A new secret signs from now on. During the overlap the old one signs too (both signatures, space-delimited), so your receiver can switch without dropping deliveries."}
          </DialogDescription>
        </DialogHeader>
        {rotated ? (
          <>
            <SecretReveal value={rotated.secret} label="Signing secret" warning={SIGNING_SECRET_WARNING} />
            <DialogFooter>
              <Button onClick={close}>Done</Button>
            </DialogFooter>
          </>
        ) : (
          <form
            className="grid gap-4"
            onSubmit={(e) => {
              e.preventDefault();
              setSubmitted(true);
              if (!endpoint || !valid) return;
              rotate.mutate(
                { id: endpoint.id, overlapHours: Number(hours) },
                { onSuccess: (r) => { setRotated(r); toast.success("Secret rotated"); }, onError: (err) => toast.error(errorMessage(err)) },
              );
            }}
          >
            <div className="grid gap-1.5">
              <Label htmlFor="rotate-overlap">Overlap (hours)</Label>
              <Input id="rotate-overlap" inputMode="numeric" value={hours} onChange={(e) => setHours(e.target.value)} aria-invalid={showError} aria-describedby="rotate-overlap-hint" />
              <p id="rotate-overlap-hint" className={showError ? "text-xs text-destructive" : "text-xs text-muted-foreground"}>
                {showError ? "Enter whole hours from 0 to 168. " : ""}0 retires the old secret at once; at most 168 (7 days).
              </p>
            </div>
            <DialogFooter>
              <Button type="button" variant="outline" onClick={close}>
                Cancel
              </Button>
              <SubmitButton pending={rotate.isPending} pendingLabel="Rotating…">
                Rotate secret
              </SubmitButton>
            </DialogFooter>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}
