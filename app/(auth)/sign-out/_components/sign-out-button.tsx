"use client";

import * as React from "react";
import Link from "next/link";
import { signOut } from "next-auth/react";
import { LoaderCircle } from "lucide-react";
import { toast } from "sonner";

import { Button } from "@/components/ui/button";

export function SignOutButton() {
  const [pending, setPending] = React.useState(false);

  async function handleSignOut() {
    setPending(true);
    try {
      await signOut({ callbackUrl: "/sign-in" });
    } catch {
      setPending(false);
      toast.error("Couldn't sign out. Please try again.");
    }
  }

  return (
    <div className="flex flex-col gap-2">
      <Button className="w-full" onClick={handleSignOut} disabled={pending}>
        {pending && <LoaderCircle aria-hidden className="animate-spin" />}
        Sign out
      </Button>
      <Button asChild variant="ghost" className="w-full">
        <Link href="/">Cancel</Link>
      </Button>
    </div>
  );
}
