"use client";

import * as React from "react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import {
  BellRing,
  KeyRound,
  FileText,
  Images,
  LayoutDashboard,
  ListChecks,
  MessageSquare,
  Phone,
  Plug,
  Puzzle,
  School,
  Settings,
  Users,
  Webhook,
  type LucideIcon,
} from "lucide-react";

import { cn } from "@/lib/utils";

type NavItem = { title: string; href: string; icon: LucideIcon };

const navItems: readonly NavItem[] = [
  { title: "Overview", href: "/", icon: LayoutDashboard },
  { title: "Messages", href: "/messages", icon: MessageSquare },
  { title: "OTP", href: "/otp", icon: KeyRound },
  { title: "Templates", href: "/templates", icon: FileText },
  { title: "Media", href: "/media", icon: Images },
  { title: "Providers", href: "/providers", icon: Plug },
  { title: "Webhooks", href: "/webhooks", icon: Webhook },
  { title: "Integrations", href: "/integrations", icon: Puzzle },
  { title: "Reminders", href: "/reminders", icon: BellRing },
  { title: "Contacts", href: "/contacts", icon: Users },
  { title: "Lists", href: "/lists", icon: ListChecks },
  { title: "Schools", href: "/schools", icon: School },
  { title: "Calls", href: "/calls", icon: Phone },
  { title: "Settings", href: "/settings", icon: Settings },
];

/** `/` matches only itself; every other item also owns its sub-pages (`/messages/abc`). */
function isActive(pathname: string, href: string) {
  if (href === "/") return pathname === "/";
  return pathname === href || pathname.startsWith(`${href}/`);
}

type SidebarNavProps = React.ComponentProps<"nav"> & {
  /** Called after a link is followed, e.g. to close the mobile sheet. */
  onNavigate?: () => void;
};

function SidebarNav({ onNavigate, className, ...props }: SidebarNavProps) {
  const pathname = usePathname() ?? "/";
  return (
    <nav aria-label="Main" className={cn("flex flex-col gap-0.5", className)} {...props}>
      {navItems.map(({ title, href, icon: Icon }) => {
        const active = isActive(pathname, href);
        return (
          <Link
            key={href}
            href={href}
            onClick={onNavigate}
            aria-current={active ? "page" : undefined}
            data-active={active}
            className={cn(
              "flex h-9 items-center gap-3 rounded-md px-3 text-sm font-medium text-sidebar-foreground transition-colors outline-none",
              "hover:bg-sidebar-accent hover:text-sidebar-accent-foreground",
              "focus-visible:ring-[3px] focus-visible:ring-ring/50",
              "data-[active=true]:bg-sidebar-accent data-[active=true]:text-sidebar-accent-foreground",
            )}
          >
            <Icon
              aria-hidden
              className={cn(
                "size-4 shrink-0 text-muted-foreground",
                active && "text-sidebar-primary",
              )}
            />
            {title}
          </Link>
        );
      })}
    </nav>
  );
}

export { SidebarNav, navItems, isActive, type NavItem };
