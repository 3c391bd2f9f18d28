"use client";

import * as React from "react";
import { Menu } from "lucide-react";

import { Button } from "@/components/ui/button";
import { Sheet, SheetContent, SheetTitle, SheetTrigger } from "@/components/ui/sheet";
import { Brand } from "@/components/layout/brand";
import { SidebarNav } from "@/components/layout/sidebar-nav";
import { TenantSwitcher, type TenantSummary } from "@/components/layout/tenant-switcher";

type MobileNavProps = {
  tenants: readonly TenantSummary[];
  activeSlug: string;
  switchTenant: (slug: string) => Promise<void>;
};

/** The sidebar, in a sheet, below the md breakpoint. */
function MobileNav({ tenants, activeSlug, switchTenant }: MobileNavProps) {
  const [open, setOpen] = React.useState(false);
  return (
    <Sheet open={open} onOpenChange={setOpen}>
      <SheetTrigger asChild>
        <Button variant="ghost" size="icon" className="md:hidden" aria-label="Open navigation">
          <Menu />
        </Button>
      </SheetTrigger>
      <SheetContent
        side="left"
        className="w-72 gap-0 bg-sidebar p-0 text-sidebar-foreground"
        aria-describedby={undefined}
      >
        <SheetTitle className="sr-only">Navigation</SheetTitle>
        <div className="flex h-14 items-center border-b border-sidebar-border px-4">
          <Brand />
        </div>
        <div className="border-b border-sidebar-border p-2">
          <TenantSwitcher tenants={tenants} activeSlug={activeSlug} onSwitch={switchTenant} />
        </div>
        <SidebarNav className="overflow-y-auto p-2" onNavigate={() => setOpen(false)} />
      </SheetContent>
    </Sheet>
  );
}

export { MobileNav, type MobileNavProps };
