import * as React from "react";
import { Megaphone } from "lucide-react";

import { Card } from "@/components/ui/card";
import { ThemeToggle } from "@/components/layout/theme-toggle";

export default function AuthLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="relative flex min-h-svh flex-col items-center justify-center gap-6 bg-muted/40 px-4 py-10">
      <div className="absolute top-3 right-3">
        <ThemeToggle />
      </div>
      <div className="flex items-center gap-2 text-lg font-semibold tracking-tight">
        <span className="flex size-8 items-center justify-center rounded-md bg-primary text-primary-foreground">
          <Megaphone aria-hidden className="size-4" />
        </span>
        Herald
      </div>
      <main className="w-full max-w-sm">
        <Card className="shadow-sm">{children}</Card>
      </main>
    </div>
  );
}
