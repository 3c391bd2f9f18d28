import Link from "next/link";
import { Megaphone } from "lucide-react";

import { cn } from "@/lib/utils";

function Brand({ className }: { className?: string }) {
  return (
    <Link
      href="/"
      className={cn(
        "flex items-center gap-2 rounded-md text-base font-semibold tracking-tight outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50",
        className,
      )}
    >
      <span className="flex size-7 items-center justify-center rounded-md bg-primary text-primary-foreground">
        <Megaphone aria-hidden className="size-4" />
      </span>
      Herald
    </Link>
  );
}

export { Brand };
