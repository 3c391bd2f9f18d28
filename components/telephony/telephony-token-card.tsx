"use client";

import { PhoneCall, RotateCw } from "lucide-react";
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
import { SecretReveal } from "@/components/ui/secret-reveal";
import { Skeleton } from "@/components/ui/skeleton";
import { toast } from "@/components/ui/toaster";
import { errorMessage } from "@/lib/hooks/api-client";
import { useRevokeTelephonyToken, useRotateTelephonyToken, useTelephonyToken } from "@/lib/hooks/use-calls";
import { useFormat } from "@/components/format-provider";

/**
 * The tenant's telephony token (X-API-TOKEN for POST /api/call-events): status for everyone,
 * create / rotate / revoke for admins. A new token is shown once.
 */
export function TelephonyTokenCard({ canManage }: { canManage: boolean }) {
  const fmt = useFormat();
  const status = useTelephonyToken();
  const rotate = useRotateTelephonyToken();
  const revoke = useRevokeTelephonyToken();
  const [revealed, setRevealed] = useState<string | null>(null);
  const active = status.data?.active ?? false;

  function onRotate() {
    rotate.mutate(undefined, {
      onSuccess: (r) => {
        setRevealed(r.token);
        toast.success(active ? "Token rotated: the previous token no longer works" : "Telephony token created");
      },
      onError: (err) => toast.error(errorMessage(err)),
    });
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>Telephony token</CardTitle>
        <CardDescription>
          Your telephony server sends it as <code className="font-mono text-xs">X-API-TOKEN</code> when it posts call events to{" "}
          <code className="font-mono text-xs">/api/call-events</code>.
        </CardDescription>
        {canManage && !status.isPending ? (
          <CardAction className="flex gap-2">
            {active ? (
              <AlertDialog>
                <AlertDialogTrigger asChild>
                  <Button variant="outline" disabled={rotate.isPending}>
                    <RotateCw aria-hidden /> Rotate
                  </Button>
                </AlertDialogTrigger>
                <AlertDialogContent>
                  <AlertDialogHeader>
                    <AlertDialogTitle>Rotate the telephony token?</AlertDialogTitle>
                    <AlertDialogDescription>
                      The current token stops working immediately. Call events posted with it are refused (401) until the
                      telephony server is configured with the new one.
                    </AlertDialogDescription>
                  </AlertDialogHeader>
                  <AlertDialogFooter>
                    <AlertDialogCancel>Cancel</AlertDialogCancel>
                    <AlertDialogAction onClick={onRotate}>Rotate token</AlertDialogAction>
                  </AlertDialogFooter>
                </AlertDialogContent>
              </AlertDialog>
            ) : (
              <Button onClick={onRotate} disabled={rotate.isPending}>
                Create token
              </Button>
            )}
          </CardAction>
        ) : null}
      </CardHeader>
      <CardContent>
        {status.isPending ? (
          <Skeleton className="h-12 w-full" />
        ) : status.isError ? (
          <p className="text-sm text-destructive">{errorMessage(status.error)}</p>
        ) : !active ? (
          <EmptyState
            icon={PhoneCall}
            titleAs="h3"
            title="No telephony token"
            description={
              canManage
                ? "Create one and configure it on your telephony server; until then call events are refused."
                : "An admin of this tenant can create one."
            }
          />
        ) : (
          <div className="flex flex-wrap items-center justify-between gap-4">
            <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
              <dt className="text-muted-foreground">Token</dt>
              <dd>
                <code className="font-mono">{status.data.prefix}…</code> <Badge variant="success">Active</Badge>
              </dd>
              <dt className="text-muted-foreground">Created</dt>
              <dd>{status.data.created_at ? fmt.dateTime(status.data.created_at) : "—"}</dd>
              <dt className="text-muted-foreground">Last used</dt>
              <dd>{status.data.last_used_at ? fmt.dateTime(status.data.last_used_at) : "Never"}</dd>
            </dl>
            {canManage ? (
              <AlertDialog>
                <AlertDialogTrigger asChild>
                  <Button variant="ghost" className="text-destructive" disabled={revoke.isPending}>
                    Revoke
                  </Button>
                </AlertDialogTrigger>
                <AlertDialogContent>
                  <AlertDialogHeader>
                    <AlertDialogTitle>Revoke the telephony token?</AlertDialogTitle>
                    <AlertDialogDescription>
                      Herald will refuse every call event until a new token is created and configured.
                    </AlertDialogDescription>
                  </AlertDialogHeader>
                  <AlertDialogFooter>
                    <AlertDialogCancel>Cancel</AlertDialogCancel>
                    <AlertDialogAction
                      onClick={() =>
                        revoke.mutate(undefined, {
                          onSuccess: () => toast.success("Telephony token revoked"),
                          onError: (err) => toast.error(errorMessage(err)),
                        })
                      }
                    >
                      Revoke
                    </AlertDialogAction>
                  </AlertDialogFooter>
                </AlertDialogContent>
              </AlertDialog>
            ) : null}
          </div>
        )}
      </CardContent>
      <Dialog open={revealed !== null} onOpenChange={(open) => !open && setRevealed(null)}>
        <DialogContent>
          <DialogHeader>
            <DialogTitle>Your telephony token</DialogTitle>
            <DialogDescription>Configure it on the telephony server as the X-API-TOKEN header.</DialogDescription>
          </DialogHeader>
          {revealed ? <SecretReveal value={revealed} label="Telephony token" /> : null}
          <DialogFooter>
            <Button onClick={() => setRevealed(null)}>Done</Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </Card>
  );
}
