import * as React from "react";
import type { LucideIcon } from "lucide-react";

import { cn } from "@/lib/utils";

type EmptyStateProps = Omit<React.ComponentProps<"div">, "title"> & {
  /** A lucide icon component (preferred) or any rendered node. */
  icon?: LucideIcon | React.ReactNode;
  title: React.ReactNode;
  description?: React.ReactNode;
  /** Usually a Button, e.g. "Configure a provider". */
  action?: React.ReactNode;
  /** Heading element for the title; use "h3" when the state sits inside a titled card. */
  titleAs?: "h2" | "h3" | "p";
};

function isComponentType(value: unknown): value is LucideIcon {
  // Lucide icons are forwardRef objects; plain function components are accepted too.
  return (
    typeof value === "function" ||
    (typeof value === "object" && value !== null && "$$typeof" in value && "render" in value)
  );
}

/** The honest "nothing here yet / not configured yet" state of a page or a card. */
function EmptyState({
  icon,
  title,
  description,
  action,
  titleAs: Title = "h2",
  className,
  ...props
}: EmptyStateProps) {
  let iconNode: React.ReactNode = null;
  if (isComponentType(icon)) {
    const Icon = icon;
    iconNode = <Icon className="size-5" aria-hidden />;
  } else if (icon) {
    iconNode = icon;
  }

  return (
    <div
      data-slot="empty-state"
      className={cn(
        "flex flex-col items-center justify-center gap-4 rounded-xl border border-dashed px-6 py-12 text-center",
        className,
      )}
      {...props}
    >
      {iconNode && (
        <div className="flex size-11 items-center justify-center rounded-full bg-muted text-muted-foreground">
          {iconNode}
        </div>
      )}
      <div className="flex max-w-md flex-col gap-1.5">
        <Title className="text-base font-semibold">{title}</Title>
        {description && <div className="text-sm text-muted-foreground">{description}</div>}
      </div>
      {action && <div className="flex flex-wrap items-center justify-center gap-2">{action}</div>}
    </div>
  );
}

export { EmptyState, type EmptyStateProps };
