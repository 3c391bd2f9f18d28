"use client";

import * as React from "react";
import { Check, Copy } from "lucide-react";
import { toast } from "sonner";

import { cn } from "@/lib/utils";
import { Button, type ButtonProps } from "@/components/ui/button";

/**
 * Writes text to the clipboard. Falls back to a hidden textarea because the async Clipboard API
 * is unavailable outside secure contexts (e.g. an intranet host served over plain http).
 */
async function copyToClipboard(text: string): Promise<void> {
  if (typeof navigator !== "undefined" && navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const textarea = document.createElement("textarea");
  textarea.value = text;
  textarea.setAttribute("readonly", "");
  textarea.style.position = "fixed";
  textarea.style.opacity = "0";
  document.body.appendChild(textarea);
  textarea.select();
  try {
    if (!document.execCommand("copy")) throw new Error("Copy command was rejected");
  } finally {
    document.body.removeChild(textarea);
  }
}

type CopyButtonProps = Omit<ButtonProps, "value" | "onClick" | "asChild"> & {
  value: string;
  /** Accessible name and, when `showLabel`, visible text. */
  label?: string;
  showLabel?: boolean;
  onCopied?: () => void;
};

const COPIED_MS = 2000;

function CopyButton({
  value,
  label = "Copy",
  showLabel = false,
  onCopied,
  variant = "ghost",
  size,
  className,
  ...props
}: CopyButtonProps) {
  const [copied, setCopied] = React.useState(false);
  const timer = React.useRef<ReturnType<typeof setTimeout>>(undefined);

  React.useEffect(() => () => clearTimeout(timer.current), []);

  async function handleCopy() {
    try {
      await copyToClipboard(value);
    } catch {
      toast.error("Couldn't copy to the clipboard. Select the text and copy it manually.");
      return;
    }
    setCopied(true);
    onCopied?.();
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setCopied(false), COPIED_MS);
  }

  const Icon = copied ? Check : Copy;
  return (
    <Button
      data-slot="copy-button"
      data-copied={copied}
      variant={variant}
      size={size ?? (showLabel ? "sm" : "icon-sm")}
      className={cn(copied && "text-success hover:text-success", className)}
      onClick={handleCopy}
      aria-label={showLabel ? undefined : label}
      {...props}
    >
      <Icon aria-hidden />
      {showLabel && <span>{copied ? "Copied" : label}</span>}
      <span className="sr-only" aria-live="polite">
        {copied ? "Copied to clipboard" : ""}
      </span>
    </Button>
  );
}

export { CopyButton, copyToClipboard, type CopyButtonProps };
