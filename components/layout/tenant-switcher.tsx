"use client";

import * as React from "react";
import { useRouter } from "next/navigation";
import { Check, ChevronsUpDown, LoaderCircle } from "lucide-react";
import { toast } from "sonner";

import { cn } from "@/lib/utils";
import { Badge, type BadgeProps } from "@/components/ui/badge";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";

type TenantSummary = { slug: string; name: string; role: string };

type TenantSwitcherProps = {
  tenants: readonly TenantSummary[];
  activeSlug: string;
  /** Server action that makes `slug` the active tenant for this session. */
  onSwitch: (slug: string) => Promise<void>;
  className?: string;
};

const roleVariant: Record<string, BadgeProps["variant"]> = {
  owner: "default",
  admin: "secondary",
};

function RoleBadge({ role }: { role: string }) {
  return (
    <Badge variant={roleVariant[role] ?? "outline"} className="capitalize">
      {role}
    </Badge>
  );
}

function TenantMark({ name }: { name: string }) {
  return (
    <span
      aria-hidden
      className="flex size-7 shrink-0 items-center justify-center rounded-md bg-sidebar-primary text-xs font-semibold text-sidebar-primary-foreground"
    >
      {name.trim().charAt(0).toUpperCase() || "?"}
    </span>
  );
}

function TenantSwitcher({ tenants, activeSlug, onSwitch, className }: TenantSwitcherProps) {
  const router = useRouter();
  const [isPending, startTransition] = React.useTransition();
  const active = tenants.find((t) => t.slug === activeSlug);

  function handleSelect(slug: string) {
    if (slug === activeSlug) return;
    startTransition(async () => {
      try {
        await onSwitch(slug);
      } catch {
        toast.error("Couldn't switch workspace. Please try again.");
        return;
      }
      // Server components read the active tenant from the session; re-render them.
      router.refresh();
    });
  }

  return (
    <DropdownMenu>
      <DropdownMenuTrigger
        disabled={isPending}
        aria-label={
          active ? `Current workspace: ${active.name}. Switch workspace` : "Switch workspace"
        }
        data-testid="tenant-switcher"
        className={cn(
          "flex w-full items-center gap-2.5 rounded-md px-2 py-1.5 text-left text-sm transition-colors outline-none",
          "hover:bg-sidebar-accent focus-visible:ring-[3px] focus-visible:ring-ring/50 data-[state=open]:bg-sidebar-accent",
          "disabled:opacity-70",
          className,
        )}
      >
        <TenantMark name={active?.name ?? "?"} />
        <span className="flex min-w-0 flex-1 flex-col">
          {/* Names wrap (two lines at most, the full name on hover) rather than end in "…". */}
          <span className="line-clamp-2 font-medium break-words text-foreground" title={active?.name}>
            {active?.name ?? "Select a workspace"}
          </span>
          {active && (
            <span className="truncate text-xs text-muted-foreground capitalize">{active.role}</span>
          )}
        </span>
        {isPending ? (
          <LoaderCircle
            aria-hidden
            className="size-4 shrink-0 animate-spin text-muted-foreground"
          />
        ) : (
          <ChevronsUpDown aria-hidden className="size-4 shrink-0 text-muted-foreground" />
        )}
        {isPending && <span className="sr-only">Switching workspace…</span>}
      </DropdownMenuTrigger>
      <DropdownMenuContent
        align="start"
        className="w-(--radix-dropdown-menu-trigger-width) min-w-60"
      >
        <DropdownMenuLabel>Workspaces</DropdownMenuLabel>
        {tenants.map((tenant) => {
          const isCurrent = tenant.slug === activeSlug;
          return (
            <DropdownMenuItem
              key={tenant.slug}
              onSelect={() => handleSelect(tenant.slug)}
              aria-current={isCurrent ? "true" : undefined}
              className="gap-2.5"
            >
              <TenantMark name={tenant.name} />
              <span className="min-w-0 flex-1 break-words">{tenant.name}</span>
              <RoleBadge role={tenant.role} />
              <Check
                aria-hidden
                className={cn("size-4 text-foreground", !isCurrent && "invisible")}
              />
            </DropdownMenuItem>
          );
        })}
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

export { TenantSwitcher, type TenantSummary, type TenantSwitcherProps };
