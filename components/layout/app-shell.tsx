import * as React from "react";

import { Brand } from "@/components/layout/brand";
import { MobileNav } from "@/components/layout/mobile-nav";
import { SidebarNav } from "@/components/layout/sidebar-nav";
import { TenantSwitcher, type TenantSummary } from "@/components/layout/tenant-switcher";
import { ThemeToggle } from "@/components/layout/theme-toggle";
import { UserMenu } from "@/components/layout/user-menu";

type AppShellProps = {
  user: { email: string; name: string | null };
  tenants: readonly TenantSummary[];
  activeTenant: TenantSummary;
  /** Server action: make `slug` the session's active tenant. */
  switchTenant: (slug: string) => Promise<void>;
  children: React.ReactNode;
};

/** Dashboard frame: fixed sidebar from md up, a sheet below; top bar; scrollable main. */
function AppShell({ user, tenants, activeTenant, switchTenant, children }: AppShellProps) {
  // The active tenant is always listed, even if the caller's list omits it.
  const allTenants = tenants.some((t) => t.slug === activeTenant.slug)
    ? tenants
    : [activeTenant, ...tenants];

  return (
    <div className="flex min-h-svh bg-background">
      <a
        href="#main-content"
        className="sr-only z-[60] rounded-md bg-background px-3 py-2 text-sm font-medium shadow focus:not-sr-only focus:fixed focus:top-3 focus:left-3 focus:ring-[3px] focus:ring-ring/50"
      >
        Skip to content
      </a>

      <aside className="sticky top-0 hidden h-svh w-64 shrink-0 flex-col border-r border-sidebar-border bg-sidebar text-sidebar-foreground md:flex">
        <div className="flex h-14 items-center border-b border-sidebar-border px-4">
          <Brand />
        </div>
        <div className="border-b border-sidebar-border p-2">
          <TenantSwitcher
            tenants={allTenants}
            activeSlug={activeTenant.slug}
            onSwitch={switchTenant}
          />
        </div>
        <SidebarNav className="flex-1 overflow-y-auto p-2" />
      </aside>

      <div className="flex min-w-0 flex-1 flex-col">
        <header className="sticky top-0 z-40 flex h-14 items-center gap-2 border-b bg-background/85 px-3 backdrop-blur supports-[backdrop-filter]:bg-background/70 md:px-6">
          <MobileNav
            tenants={allTenants}
            activeSlug={activeTenant.slug}
            switchTenant={switchTenant}
          />
          <Brand className="md:hidden" />
          <div className="ml-auto flex items-center gap-1">
            <ThemeToggle />
            <UserMenu user={user} />
          </div>
        </header>
        <main id="main-content" tabIndex={-1} className="flex-1 outline-none">
          <div className="mx-auto w-full max-w-7xl px-4 py-6 md:px-8 md:py-8">{children}</div>
        </main>
      </div>
    </div>
  );
}

export { AppShell, type AppShellProps };
