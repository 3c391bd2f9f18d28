"use client";

import * as React from "react";
import { TriangleAlert } from "lucide-react";

import { cn } from "@/lib/utils";
import { CopyButton } from "@/components/ui/copy-button";

type SecretRevealProps = Omit<React.ComponentProps<"div">, "children"> & {
  /** The secret, as returned once by the server. Never persist it client-side. */
  value: string;
  /** What the secret is, e.g. "API key" or "Signing secret". */
  label?: string;
  /** Overrides the default "won't be shown again" warning. */
  warning?: React.ReactNode;
};

/**
 * Shows a freshly created secret in a monospace box with a copy button, and warns that it will
 * not be shown again: the server stores only a hash, so this render is the user's only chance.
 */
function SecretReveal({
  value,
  label = "Secret",
  warning,
  className,
  ...props
}: SecretRevealProps) {
  return (
    <div data-slot="secret-reveal" className={cn("flex flex-col gap-3", className)} {...props}>
      <div className="flex flex-col gap-1.5">
        <span className="text-sm font-medium">{label}</span>
        <div className="flex items-stretch gap-2 rounded-md border bg-muted/50 p-1 pl-3">
          <code
            data-slot="secret-value"
            className="min-w-0 flex-1 self-center py-1.5 font-mono text-sm break-all select-all"
            translate="no"
          >
            {value}
          </code>
          <CopyButton value={value} label={`Copy ${label}`} className="self-start" />
        </div>
      </div>
      <div
        role="note"
        className="flex gap-2.5 rounded-md border border-warning/40 bg-warning/10 p-3 text-sm text-warning-foreground dark:text-warning"
      >
        <TriangleAlert className="mt-0.5 size-4 shrink-0" aria-hidden />
        <div>
          {warning ?? (
            <>
              <p className="font-medium">This is the only time it will be shown.</p>
              <p className="opacity-90">
                Copy it now and store it somewhere safe, such as a password manager or your
                deployment&apos;s secret store. If it is lost, you will need to create a new one.
              </p>
            </>
          )}
        </div>
      </div>
    </div>
  );
}

export { SecretReveal, type SecretRevealProps };
