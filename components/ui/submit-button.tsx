"use client";

import * as React from "react";
import { Button, type ButtonProps } from "@/components/ui/button";
import { cn } from "@/lib/utils";

/**
 * The one submit behaviour of every form: the button stays enabled and the form validates when
 * it is submitted (errors appear beside the fields). It is disabled only while the request runs,
 * or when nothing could be submitted — and then it says why, next to it and to screen readers.
 */
export function SubmitButton({
  pending = false,
  pendingLabel,
  blockedReason,
  children,
  className,
  ...props
}: Omit<ButtonProps, "disabled"> & {
  pending?: boolean;
  /** Shown instead of the label while pending, e.g. "Saving…". */
  pendingLabel?: React.ReactNode;
  /** Why there is nothing to submit yet ("No changes to save", "Choose a file first"). */
  blockedReason?: string | null;
}) {
  const reasonId = React.useId();
  const blocked = Boolean(blockedReason);
  return (
    <span className={cn("inline-flex flex-col items-start gap-1", className)}>
      <Button type={props.type ?? "submit"} disabled={pending || blocked} aria-describedby={blocked ? reasonId : undefined} {...props}>
        {pending && pendingLabel ? pendingLabel : children}
      </Button>
      {blocked ? (
        <span id={reasonId} className="text-xs text-muted-foreground">
          {blockedReason}
        </span>
      ) : null}
    </span>
  );
}
