import type { Metadata } from "next";

import { CardContent, CardDescription, CardHeader } from "@/components/ui/card";
import { SignOutButton } from "./_components/sign-out-button";

export const metadata: Metadata = { title: "Sign out" };

export default function SignOutPage() {
  return (
    <>
      <CardHeader>
        <h1 className="text-xl leading-tight font-semibold">Sign out</h1>
        <CardDescription>You will need your email and password to sign in again.</CardDescription>
      </CardHeader>
      <CardContent>
        <SignOutButton />
      </CardContent>
    </>
  );
}
