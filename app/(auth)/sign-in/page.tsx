import type { Metadata } from "next";

import { CardContent, CardDescription, CardHeader } from "@/components/ui/card";
import { SignInForm } from "./_components/sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function firstOf(value: string | string[] | undefined) {
  return Array.isArray(value) ? value[0] : value;
}

export default async function SignInPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  return (
    <>
      <CardHeader>
        <h1 className="text-xl leading-tight font-semibold">Sign in</h1>
        <CardDescription>Use the email and password for your Herald account.</CardDescription>
      </CardHeader>
      <CardContent>
        <SignInForm
          callbackUrl={firstOf(params.callbackUrl)}
          initialError={firstOf(params.error)}
        />
      </CardContent>
    </>
  );
}
