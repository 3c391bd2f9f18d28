"use client";

import * as React from "react";
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

export interface ConfirmOptions {
  /** A question naming the thing: "Hang up the call from +46…?" */
  title: React.ReactNode;
  /** What happens, and whether it can be undone. */
  description?: React.ReactNode;
  /** The verb on the confirming button ("Hang up", "Revoke"). */
  confirmLabel: string;
  cancelLabel?: string;
  /** Red confirming button for irreversible or disruptive actions (the default). */
  destructive?: boolean;
}

type Ask = (options: ConfirmOptions) => Promise<boolean>;

const ConfirmContext = React.createContext<Ask | null>(null);

/**
 * One confirmation dialog for every risky action in the dashboard: `await confirm({...})` is
 * true only when the user chose the action. Focus goes back to the control that asked.
 */
export function ConfirmProvider({ children }: { children: React.ReactNode }) {
  const [pending, setPending] = React.useState<(ConfirmOptions & { resolve: (ok: boolean) => void }) | null>(null);
  const ask = React.useCallback<Ask>(
    (options) =>
      new Promise<boolean>((resolve) => {
        setPending((current) => {
          current?.resolve(false);
          return { ...options, resolve };
        });
      }),
    [],
  );
  const settle = (ok: boolean) => {
    pending?.resolve(ok);
    setPending(null);
  };
  return (
    <ConfirmContext.Provider value={ask}>
      {children}
      <AlertDialog open={pending !== null} onOpenChange={(open) => (open ? undefined : settle(false))}>
        <AlertDialogContent data-testid="confirm-dialog">
          <AlertDialogHeader>
            <AlertDialogTitle>{pending?.title}</AlertDialogTitle>
            {pending?.description ? <AlertDialogDescription>{pending.description}</AlertDialogDescription> : <AlertDialogDescription className="sr-only">Confirm or cancel.</AlertDialogDescription>}
          </AlertDialogHeader>
          <AlertDialogFooter>
            <AlertDialogCancel onClick={() => settle(false)}>{pending?.cancelLabel ?? "Cancel"}</AlertDialogCancel>
            <AlertDialogAction variant={pending?.destructive === false ? "default" : "destructive"} onClick={() => settle(true)}>
              {pending?.confirmLabel}
            </AlertDialogAction>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
    </ConfirmContext.Provider>
  );
}

/** `const confirm = useConfirm(); if (await confirm({ title, confirmLabel })) doIt();` */
export function useConfirm(): Ask {
  const ask = React.useContext(ConfirmContext);
  if (!ask) throw new Error("useConfirm needs a ConfirmProvider above it");
  return ask;
}
